"""The warning-sign check (triage_form): answers in free text, questions answered earlier skipped, a yes
(or "not sure") ending the check at once with an emergency, and the result."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety_actions import answer_from, conversation_signs, entity_values, flags_slots
from knowledge.red_flags import default_warning_signs, urgency_of
from knowledge.urgency import Urgency

# Each yes/no question of the check, and the red flag a yes points to.
QUESTION_FLAGS = {
    "triage_sudden_onset": "thunderclap_headache",
    "triage_fever_rash": "meningitis_signs",
    "triage_neuro": "neurological_signs",
    "triage_injury": "head_or_neck_injury",
    "triage_swallow_breath": "breathing_trouble",
}
YES_NO_QUESTIONS = tuple(QUESTION_FLAGS)
POSSIBLE_YES = ("yes", "unsure")
# Words that answer a question without a yes or a no ("it built up over a day" is a no to sudden onset).
ANSWERING_CONCEPTS = {
    "triage_sudden_onset": {"yes": {"sudden_onset", "thunderclap_word", "head_explosion"}, "no": {"gradual_onset"}},
}
# A sign denied earlier ("no fever") answers the question that asks about it.
DENIED_SIGN_ANSWERS = {"sudden_onset": "triage_sudden_onset", "fever": "triage_fever_rash", "injury": "triage_injury"}


def earlier_answers(tracker: Tracker) -> dict[str, str]:
    """Answers the person gave before the check: every question whose sign they denied is a "no"."""
    answers: dict[str, str] = {}
    for event in tracker.applied_events():
        if event.get("event") == "user":
            for concept in entity_values(event.get("parse_data") or {}, "absent_sign"):
                if concept in DENIED_SIGN_ANSWERS:
                    answers[DENIED_SIGN_ANSWERS[concept]] = "no"
    return answers


def answers(tracker: Tracker) -> dict[str, str | None]:
    """Each question's answer: the slot, or else what the person said before the check."""
    earlier = earlier_answers(tracker)
    return {slot: tracker.get_slot(slot) or earlier.get(slot) for slot in YES_NO_QUESTIONS}


def read_answer(slot: str, tracker: Tracker) -> str | None:
    """The answer to one question from the latest message, or None when it holds none."""
    flag = default_warning_signs().flag(QUESTION_FLAGS[slot])
    if flag.raised_by(conversation_signs(tracker)) is not None:
        return "yes"  # the answer describes the sign itself ("yes, a temperature of 39")
    said = set(entity_values(tracker.latest_message, "sign"))
    for answer in ("no", "yes"):
        if said & ANSWERING_CONCEPTS.get(slot, {}).get(answer, set()):
            return answer
    return answer_from(tracker.latest_message)


class ValidateTriageForm(FormValidationAction):
    """Ask only what is still open, read free-text answers, and stop at the first yes."""

    def name(self) -> str:
        return "validate_triage_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        known = answers(tracker)
        if any(answer in POSSIBLE_YES for answer in known.values()):
            return []  # a warning sign: the result comes now, not after the remaining questions
        if tracker.get_slot("urgency") == Urgency.EMERGENCY.value:
            return []  # an emergency is open: no questions, the result repeats it
        earlier = earlier_answers(tracker)
        return [slot for slot in domain_slots if slot not in earlier or tracker.get_slot(slot) is not None]

    def _validated(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot:
            return {slot: value}  # answered earlier: the form re-checks it when the check resumes
        answer = read_answer(slot, tracker)
        if answer is None:
            if entity_values(tracker.latest_message, "duration"):
                dispatcher.utter_message(response="utter_noted_duration")
            else:
                dispatcher.utter_message(response="utter_answer_not_understood")
        return {slot: answer}

    async def validate_triage_sudden_onset(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("triage_sudden_onset", value, dispatcher, tracker)

    async def validate_triage_fever_rash(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("triage_fever_rash", value, dispatcher, tracker)

    async def validate_triage_neuro(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("triage_neuro", value, dispatcher, tracker)

    async def validate_triage_injury(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("triage_injury", value, dispatcher, tracker)

    async def validate_triage_swallow_breath(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("triage_swallow_breath", value, dispatcher, tracker)


class ActionTriageResult(Action):
    """Work out the check's result, store it in `urgency` (utter_triage_result words it) and clear the answers."""

    def name(self) -> str:
        return "action_triage_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        warning_signs = default_warning_signs()
        given = answers(tracker)
        yes = [slot for slot, answer in given.items() if answer in POSSIBLE_YES]
        if any(given[slot] == "unsure" for slot in yes):
            dispatcher.utter_message(response="utter_unsure_is_a_possible_yes")
        if yes:
            events = flags_slots([warning_signs.flag(QUESTION_FLAGS[slot]) for slot in yes], Urgency.EMERGENCY, None)
        else:
            # No warning sign in the answers; what the person said during the conversation still counts.
            flags = list(warning_signs.flags_for(conversation_signs(tracker)))
            level = urgency_of(flags)
            current = tracker.get_slot("urgency")
            events = (
                flags_slots(flags, level, current)
                if level is not Urgency.ROUTINE
                else [SlotSet("urgency", Urgency.parse(current).value)]
            )
        return [*events, *(SlotSet(slot, None) for slot in (*YES_NO_QUESTIONS, "triage_duration"))]
