"""The faster check of action-server responses accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import components  # noqa: F401  (installs the check, as loading the model does)
from components import action_response_validation

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


def test_loading_the_components_installs_the_check():
    assert RemoteAction._validate_action_result is action_response_validation.validate_action_result


@pytest.mark.parametrize("result", RESPONSES)
def test_same_verdict_as_rasa(remote_action, result):
    if rasa_accepts(result):
        assert remote_action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            remote_action._validate_action_result(result)


def test_the_table_has_both_verdicts():
    assert {rasa_accepts(result) for result in RESPONSES} == {True, False}
