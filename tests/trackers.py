"""Build trackers and parsed messages the way Rasa hands them to actions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker


def selector_output(confidences: dict[str, float]) -> dict[str, Any]:
    """The `response_selector` part of a parsed message, as Rasa's ResponseSelector writes it."""
    ranking = [
        {"id": i, "confidence": confidence, "intent_response_key": f"topic/{topic_id}"}
        for i, (topic_id, confidence) in enumerate(sorted(confidences.items(), key=lambda kv: -kv[1]))
    ]
    return {"all_retrieval_intents": ["topic"], "topic": {"response": {}, "ranking": ranking}}


def make_tracker(
    intent: str = "topic",
    text: str = "",
    selector: dict[str, float] | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
    }
    if selector is not None:
        latest_message["response_selector"] = selector_output(selector)
    return Tracker(
        sender_id="test-user",
        slots={"topics": None, "urgency": "routine", **(slots or {})},
        latest_message=latest_message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@lru_cache(maxsize=1)
def _warning_sign_classifier():
    # Imported here: only tests that parse text pay for loading the detector.
    from components.warning_sign_classifier import WarningSignClassifier

    return WarningSignClassifier(WarningSignClassifier.get_default_config())


def parse(text: str, intent: str = "topic") -> dict[str, Any]:
    """The parse data Rasa would store for `text`, with the real warning-sign component's findings and
    `intent` as the statistical NLU's guess."""
    from rasa.shared.nlu.training_data.message import Message

    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "entities": [],
        }
    )
    _warning_sign_classifier().process([message])
    return {key: message.get(key) for key in ("text", "intent", "intent_ranking", "entities", "warning_signs")}


def conversation(
    *turns: dict[str, Any] | str,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose events are these turns: parse data for what the person said, a name for an action
    the assistant ran. The last message is the latest one."""
    events: list[dict[str, Any]] = []
    latest: dict[str, Any] = {}
    for turn in turns:
        if isinstance(turn, str):
            events.append({"event": "action", "name": turn})
        else:
            events.append({"event": "action", "name": "action_listen"})
            events.append({"event": "user", "text": turn.get("text"), "parse_data": turn})
            latest = turn
    return Tracker(
        sender_id="test-user",
        slots={"topics": None, "urgency": "routine", **(slots or {})},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
