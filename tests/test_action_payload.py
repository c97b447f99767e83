"""The action server's request (components/action_payload.py) is Rasa's with only the parts no action reads
left out, and every custom action answers it exactly as it answers Rasa's."""

from __future__ import annotations

import asyncio
import json

import pytest
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import ActionExecutor

from components import action_payload
from tests.test_incremental_history import CONVERSATIONS, DOMAIN, story_conversations
from tests.trackers import selector_output

METADATA = {"model_id": "m1", "assistant_id": "neck-pain-headache-assistant"}


def as_parsed(event):
    """A user message as the NLU pipeline leaves it: rankings of intents and topics, and model metadata."""
    if not isinstance(event, UserUttered):
        event.metadata = {**(event.metadata or {}), **METADATA}
        return event
    parse_data = {
        **event.parse_data,
        "intent_ranking": [event.intent, {"name": "out_of_scope", "confidence": 0.01}],
        "response_selector": selector_output({"emg": 0.6, "whiplash": 0.3, "cervical_disc": 0.1}),
        "warning_sign_net": {"emergency": 0.02},
        "message_id": "abc",
    }
    return UserUttered(event.text, event.intent, event.entities, parse_data, metadata=METADATA)


def requests_for(action_name: str, events):
    """(Rasa's request, the project's request as the action server decodes it) after each event."""
    action = RemoteAction(action_name, None)
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in events:
        tracker.update(event, DOMAIN)
        rasas = json.loads(json.dumps(action_payload._rasa_action_call_format(action, tracker, DOMAIN)))
        ours = json.loads(ujson.dumps(action_payload.action_call_format(action, tracker.copy(), DOMAIN)))
        yield event, rasas, ours


@pytest.mark.parametrize("events", CONVERSATIONS)
def test_the_request_is_rasas_with_the_lean_events(events):
    for _, rasas, ours in requests_for("action_suggest_related_topics", [as_parsed(event) for event in events]):
        assert ours["tracker"]["events"] == [action_payload.lean_event(event) for event in rasas["tracker"]["events"]]
        rasas["tracker"]["events"] = ours["tracker"]["events"]
        assert ours == rasas, "everything else is Rasa's, the latest message in full"


def test_lean_events_keep_what_actions_read_and_lose_rankings_and_model_ids():
    said = as_parsed(
        UserUttered("my neck", {"name": "topic", "confidence": 0.9}, [{"entity": "sign", "value": "fever"}])
    )
    lean = action_payload.lean_event(said.as_dict())
    assert lean["parse_data"] == {
        "intent": {"name": "topic", "confidence": 0.9},
        "entities": [{"entity": "sign", "value": "fever"}],
        "text": "my neck",
    }
    assert lean["metadata"] == {} and lean["text"] == "my neck"
    bot = {
        "event": "bot",
        "text": "hi",
        "metadata": {"utter_action": "utter_topic/emg", "urgency": "urgent", **METADATA},
    }
    assert action_payload.lean_event(bot)["metadata"] == {"utter_action": "utter_topic/emg", "urgency": "urgent"}


def custom_actions() -> list[str]:
    executor = ActionExecutor()
    executor.register_package("actions")
    return sorted(executor.actions)


@pytest.fixture(scope="module")
def executor() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def answer(executor: ActionExecutor, request: dict) -> object:
    try:
        return asyncio.run(executor.run(request))
    except Exception as error:  # the same failure from both requests counts as the same answer
        return type(error).__name__


@pytest.fixture(scope="module")
def requests_after_messages_and_slots() -> list[tuple[str, str]]:
    """(Rasa's request, the lean one), as JSON, after each message and each slot filled (a form validates
    those) of every conversation test; built once, sent to each action under its name."""
    return [
        (json.dumps(rasas), json.dumps(ours))
        for events in story_conversations()
        for event, rasas, ours in requests_for("any_action", [as_parsed(event) for event in events])
        if isinstance(event, (UserUttered, SlotSet))
    ]


def addressed_to(action_name: str, request: str) -> dict:
    """A fresh copy of the request for one action (the SDK's forms change the slots they are given)."""
    return {**json.loads(request), "next_action": action_name}


@pytest.mark.parametrize("action_name", custom_actions())
def test_every_action_answers_the_lean_request_as_rasas(executor, requests_after_messages_and_slots, action_name):
    for rasas, ours in requests_after_messages_and_slots:
        assert answer(executor, addressed_to(action_name, ours)) == answer(executor, addressed_to(action_name, rasas))
    assert len(requests_after_messages_and_slots) > 50
