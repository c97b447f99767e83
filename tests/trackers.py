"""Build trackers and parsed messages the way Rasa hands them to actions."""

from __future__ import annotations

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
