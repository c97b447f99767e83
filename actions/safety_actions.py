"""Actions that act on warning signs: record them, remind while an emergency is open, clear it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from components.red_flag_detector import URGENCY_ORDER, describe, load_flags

# Used when the statistical NLU alone flagged an emergency and no rule named the sign.
UNNAMED_SIGNS = "possible warning signs"


def raised_urgency(current: str | None, new: str) -> str:
    """Urgency only goes up within a conversation; the person lowers it by saying they are safe."""
    current = current if current in URGENCY_ORDER else "routine"
    return max(current, new, key=URGENCY_ORDER.index)


class ActionRecordWarningSigns(Action):
    """Set `urgency` and `warning_signs` from the red flags the NLU found in the latest message."""

    def name(self) -> str:
        return "action_record_warning_signs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        flags = load_flags()
        entities = tracker.latest_message.get("entities", [])
        found = [flags[e["value"]] for e in entities if e.get("entity") == "red_flag" and e.get("value") in flags]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        level = "emergency" if intent == "emergency_sign" else "urgent"
        relevant = [flag for flag in found if flag.urgency == level] or found
        events = [
            SlotSet("urgency", raised_urgency(tracker.get_slot("urgency"), level)),
            SlotSet("warning_signs", describe(relevant) if relevant else UNNAMED_SIGNS),
        ]
        if level == "emergency":
            events.append(SlotSet("topics", []))  # no topic is offered in an emergency turn
        return events


class ActionRemindEmergency(Action):
    """While an emergency is open, start every reply by repeating the emergency message."""

    def name(self) -> str:
        return "action_remind_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("urgency") == "emergency":
            dispatcher.utter_message(response="utter_emergency")
        return []


class ActionMarkSafe(Action):
    """The person says they are safe or getting care: close the emergency."""

    def name(self) -> str:
        return "action_mark_safe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet("urgency", "routine"), SlotSet("warning_signs", None)]
