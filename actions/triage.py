"""The warning-sign check (triage_form): skip what the person already answered, then state the result."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety_actions import raised_urgency

YES_NO_QUESTIONS = (
    "triage_sudden_onset",
    "triage_fever_rash",
    "triage_neuro",
    "triage_injury",
    "triage_swallow_breath",
)
# A sign the person explicitly denied earlier ("no fever") answers the question that asks about it.
DENIED_SIGN_ANSWERS = {
    "thunderclap": "triage_sudden_onset",
    "fever": "triage_fever_rash",
    "injury": "triage_injury",
}
TRIAGE_SIGNS = "your answers to the warning-sign check"


def earlier_answers(tracker: Tracker) -> dict[str, bool]:
    """Answers the person gave before the check: every question whose sign they denied is a 'no'."""
    answers: dict[str, bool] = {}
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        for entity in (event.get("parse_data") or {}).get("entities", []):
            slot = DENIED_SIGN_ANSWERS.get(entity.get("value")) if entity.get("entity") == "absent_sign" else None
            if slot:
                answers[slot] = False
    return answers


def answers(tracker: Tracker) -> dict[str, bool | None]:
    """Each question's answer: the slot, or else what the person said before the check."""
    earlier = earlier_answers(tracker)
    return {
        slot: earlier.get(slot) if tracker.get_slot(slot) is None else tracker.get_slot(slot)
        for slot in YES_NO_QUESTIONS
    }


class ValidateTriageForm(FormValidationAction):
    """Ask only the questions the person has not answered yet in this conversation."""

    def name(self) -> str:
        return "validate_triage_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        known = earlier_answers(tracker)
        return [slot for slot in domain_slots if slot not in known or tracker.get_slot(slot) is not None]


class ActionTriageResult(Action):
    """Work out the check's result and store it in `urgency` (utter_triage_result words it)."""

    def name(self) -> str:
        return "action_triage_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if any(answers(tracker).values()):
            return [
                SlotSet("urgency", "emergency"),
                SlotSet("warning_signs", TRIAGE_SIGNS),
            ]
        return [SlotSet("urgency", raised_urgency(tracker.get_slot("urgency"), "routine"))]
