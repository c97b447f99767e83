"""The faster paths (components/speedups.py) give exactly the answers of the Rasa code they replace."""

from __future__ import annotations

import copy
import json
import random

import jsonschema
import numpy as np
import pytest
import scipy.sparse
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

from components import rasa_patches, speedups
from tests.test_incremental_history import CONVERSATIONS, DOMAIN

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "urgency", "value": "urgent", "timestamp": None}], "responses": []},
    {"events": [{"event": "active_loop", "name": "triage_form"}], "responses": [{"text": "See a doctor."}]},
    {"events": [{"event": "followup", "name": "utter_see_doctor"}]},
    {"responses": [{"response": "utter_see_doctor", "buttons": []}]},
    # Invalid: what a broken action server could send.
    {"events": [{"event": "slot", "name": 3, "value": "x"}], "responses": []},
    {"events": [{"name": "urgency"}], "responses": []},
    {"events": {"event": "slot"}, "responses": []},
    {"events": [], "responses": ["See a doctor."]},
    {"events": [{"event": "entities", "entities": [{"entity": "symptom"}]}]},
    [],
]


def rasa_accepts(result: object) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


@pytest.fixture
def remote_action() -> RemoteAction:
    return RemoteAction("action_suggest_related_topics", EndpointConfig("http://127.0.0.1:1/webhook"))


@pytest.fixture(autouse=True, scope="module")
def patched():
    assert rasa_patches.install()


def test_installing_the_patches_installs_all_seven():
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert Event.resolve_by_type is speedups.resolve_by_type
    assert RasaModel.load.__func__ is speedups.load_model
    assert Features._combine_sparse_features is speedups.combine_sparse_features
    assert RulePolicy.format_tracker_states is speedups.lazy_tracker_states_text
    assert EndpointConfig.session is speedups.session
    assert RulePolicy._get_possible_keys is speedups.get_possible_keys


STATES = [
    {},
    {"user": {"intent": "topic", "entities": ("symptom",)}, "prev_action": {"action_name": "action_listen"}},
    {"user": {"text": "my neck"}, "slots": {"urgency": (1.0, 0.0, 0.0)}, "active_loop": {"name": "triage_form"}},
    {"prev_action": {"action_name": "utter_topic"}},
]


def test_the_rule_policys_debug_text_is_rasas_when_it_is_written():
    text = RulePolicy.format_tracker_states(STATES)
    assert str(text) == repr(text) == speedups._rasa_format_tracker_states(STATES)
    # Rasa deep-copies it into its debug log call whether or not debug is on: the copy is formatted only
    # when it is written.
    copied = copy.deepcopy(text)
    assert isinstance(copied, speedups.TrackerStatesText)
    assert str(copied) == speedups._rasa_format_tracker_states(STATES)
    assert "user intent: topic" in str(text) and "active loop" in str(text)


async def test_action_server_requests_carry_the_same_json_and_settings():
    auth = {"username": "u", "password": "p"}
    config = EndpointConfig("http://localhost:1/webhook", headers={"X-A": "b"}, basic_auth=auth)
    said = UserUttered('caf\u00e9 / "neck" \U0001f6a8', {"name": "topic", "confidence": 0.25})
    body = DialogueStateTracker.from_events("someone", [said, SlotSet("urgency", "urgent")]).current_state(
        EventVerbosity.ALL
    )
    ours, theirs = speedups.session(config), speedups._rasa_session(config)
    try:
        assert json.loads(ours._json_serialize(body)) == json.loads(theirs._json_serialize(body)) == body
        assert ours._json_serialize is ujson.dumps
        assert dict(ours.headers) == dict(theirs.headers) and ours.auth == theirs.auth
        assert ours.timeout == theirs.timeout
    finally:
        await ours.close()
        await theirs.close()


@pytest.mark.parametrize("result", RESPONSES)
def test_same_verdict_as_rasa(remote_action, result):
    if rasa_accepts(result):
        assert remote_action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            remote_action._validate_action_result(result)


def test_the_table_has_both_verdicts():
    assert {rasa_accepts(result) for result in RESPONSES} == {True, False}


EVENT_NAMES = sorted({cls.type_name for cls in all_subclasses(Event)})


@pytest.mark.parametrize("type_name", EVENT_NAMES)
def test_every_event_name_resolves_to_rasas_class(type_name):
    assert speedups.resolve_by_type(type_name) is speedups._rasa_resolve_by_type(type_name)


def test_unknown_names_behave_as_in_rasa():
    assert speedups.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert speedups.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        speedups.resolve_by_type("no_such_event")


def test_stored_events_read_back_unchanged():
    events = [
        UserUttered("my neck hurts", {"name": "topic"}),
        ActionExecuted("action_listen"),
        SlotSet("urgency", "urgent"),
    ]
    assert [Event.from_parameters(event.as_dict()) for event in events] == events


def sparse(rows: int, columns: int, fmt: str, dtype: type, seed: int) -> scipy.sparse.spmatrix:
    return scipy.sparse.random(rows, columns, density=0.2, format=fmt, dtype=dtype, random_state=seed)


# (left, right): what the featurizers produce (COO, float), and the shapes and formats Rasa also allows.
MATRIX_PAIRS = {
    "one token, words + characters": (sparse(1, 40, "coo", np.float64, 1), sparse(1, 300, "coo", np.float64, 2)),
    "sequence of tokens": (sparse(7, 40, "coo", np.float64, 3), sparse(7, 300, "coo", np.float64, 4)),
    "mixed formats": (sparse(5, 12, "csr", np.float64, 5), sparse(5, 9, "coo", np.float64, 6)),
    "mixed types": (sparse(4, 6, "coo", np.float32, 7), sparse(4, 8, "coo", np.int64, 8)),
    "empty right": (sparse(3, 10, "coo", np.float64, 9), scipy.sparse.coo_matrix((3, 0))),
    "all zeros": (scipy.sparse.coo_matrix((2, 5)), scipy.sparse.coo_matrix((2, 4))),
}


@pytest.mark.parametrize("left, right", MATRIX_PAIRS.values(), ids=MATRIX_PAIRS.keys())
def test_joined_features_equal_scipys(left, right):
    expected = scipy.sparse.hstack([left, right])
    joined = speedups.hstack(left, right)
    assert joined.format == expected.format
    assert joined.shape == expected.shape
    assert joined.dtype == expected.dtype
    np.testing.assert_array_equal(joined.toarray(), expected.toarray())


def test_combining_features_joins_them_and_forgets_the_fingerprint():
    words = Features(sparse(3, 5, "coo", np.float64, 10), "sequence", "text", "CountVectorsFeaturizer")
    characters = Features(sparse(3, 7, "coo", np.float64, 11), "sequence", "text", "CountVectorsFeaturizer")
    expected = scipy.sparse.hstack([words.features, characters.features]).toarray()
    words.fingerprint()
    words.combine_with_features(characters)
    np.testing.assert_array_equal(words.features.toarray(), expected)
    assert words._cached_fingerprint is None


def test_features_of_different_lengths_are_refused_as_in_rasa():
    three_tokens = Features(sparse(3, 5, "coo", np.float64, 12), "sequence", "text", "a")
    two_tokens = Features(sparse(2, 5, "coo", np.float64, 13), "sequence", "text", "b")
    with pytest.raises(ValueError, match="sequence dimensions do not match: 3 != 2"):
        three_tokens.combine_with_features(two_tokens)


def rules_from(conversations: list[list[Event]], seed: int = 7) -> dict[str, str]:
    """Rule keys as the rule policy stores them: slices of real conversations' states, some from the start,
    some with only part of each turn's features (as rules leave features out)."""
    rng = random.Random(seed)
    rules = {}
    for events in conversations:
        states = DOMAIN.states_for_tracker_history(DialogueStateTracker.from_events("s", events, DOMAIN.slots))
        for _ in range(4):
            length = rng.randint(1, 7)
            start = 0 if rng.random() < 0.2 else rng.randint(0, max(0, len(states) - length))
            rule = [
                {key: value for key, value in state.items() if rng.random() < 0.7 or key == "prev_action"}
                for state in states[start : start + length]
            ]
            rules[json.dumps(rule, sort_keys=True)] = "utter_any"
            # The same turns after a different first turn: a rule that fails only at its earliest turn.
            other = {key: value for key, value in rng.choice(states).items() if key == "prev_action"}
            rules[json.dumps([other, *rule[1:]], sort_keys=True)] = "utter_any"
    return rules


def test_rule_matching_over_the_longest_rules_turns_is_rasas():
    conversations = [param.values[0] for param in CONVERSATIONS]
    policy = RulePolicy.__new__(RulePolicy)  # rule matching reads no trained state
    lookup = rules_from(conversations)
    matched = 0
    for events in conversations:
        tracker = DialogueStateTracker("s", DOMAIN.slots)
        for event in events:
            tracker.update(event, DOMAIN)
            states = DOMAIN.states_for_tracker_history(tracker)
            ours = speedups.get_possible_keys(policy, lookup, states)
            assert ours == speedups._rasa_get_possible_keys(policy, lookup, states)
            matched += bool(ours)
    assert matched > 100, "the rules match often enough for the comparison to mean something"
    assert speedups.get_possible_keys(policy, {}, [{}]) == speedups._rasa_get_possible_keys(policy, {}, [{}])
