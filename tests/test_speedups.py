"""The faster paths (components/speedups.py) give exactly the answers of the Rasa code they replace."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

import components  # noqa: F401  (installs the faster paths, as loading the model does)
from components import speedups

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


def test_loading_the_components_installs_all_three():
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert Event.resolve_by_type is speedups.resolve_by_type
    assert RasaModel.load.__func__ is speedups.load_model


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
