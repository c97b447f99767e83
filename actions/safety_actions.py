"""Actions that act on warning signs: record them, re-read a message that completes them, remind while an
emergency is open, answer the targeted question, close an emergency."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channels import utter_with_buttons
from actions.ranking import rank_topics
from knowledge.catalogue import default_catalogue
from knowledge.red_flags import (
    RedFlag,
    advice,
    conversation_concepts,
    default_warning_signs,
    describe,
    urgency_of,
)
from knowledge.topic_messages import topic_button
from knowledge.urgency import Urgency

# Used when the statistical NLU alone flagged an emergency and no rule named the sign.
UNNAMED_SIGNS = "possible warning signs"
EMERGENCY_INTENT = "emergency_sign"
URGENT_INTENT = "warning_sign"
QUESTION_INTENT = "possible_warning_sign"
CRISIS_RESPONSE = "utter_crisis_support"
# Closing an emergency starts the conversation's signs afresh (as components/warning_sign_policy.py).
MARK_SAFE_ACTION = "action_mark_safe"


def raised_urgency(current: str | None, new: Urgency) -> Urgency:
    """Urgency only goes up within a conversation; the person lowers it by saying they are safe."""
    return Urgency.highest([Urgency.parse(current), new])


def entity_values(message: dict[str, Any], name: str) -> list[str]:
    return [entity["value"] for entity in message.get("entities") or [] if entity.get("entity") == name]


def conversation_signs(tracker: Tracker) -> frozenset[str]:
    """The concepts present across the conversation since its signs last started afresh."""
    messages: list[dict[str, Any]] = []
    for event in tracker.applied_events():
        kind = event.get("event")
        if kind in ("session_started", "restart") or (kind == "action" and event.get("name") == MARK_SAFE_ACTION):
            messages = []
        elif kind == "user":
            messages.append(event.get("parse_data") or {})
    return conversation_concepts((entity_values(m, "sign"), entity_values(m, "absent_sign")) for m in messages)


def flags_slots(flags: list[RedFlag], urgency: Urgency, current: str | None) -> list[dict[str, Any]]:
    """The slots that word a warning-sign message: urgency, what was found, advice, crisis support."""
    relevant = [flag for flag in flags if flag.urgency is urgency] or flags
    return [
        SlotSet("urgency", raised_urgency(current, urgency).value),
        SlotSet("warning_signs", describe(relevant) or UNNAMED_SIGNS),
        SlotSet("warning_advice", advice(relevant)),
        SlotSet("crisis", any(flag.response == CRISIS_RESPONSE for flag in relevant)),
    ]


class ActionRecordWarningSigns(Action):
    """Set `urgency`, `warning_signs`, `warning_advice` and `crisis` from the red flags in the latest message;
    before a targeted question, hold back the topics the message points to in `topics`."""

    def name(self) -> str:
        return "action_record_warning_signs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        warning_signs = default_warning_signs()
        known = {flag.id: flag for flag in warning_signs.flags}
        flags = [known[value] for value in entity_values(tracker.latest_message, "red_flag") if value in known]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        level = Urgency.EMERGENCY if intent == EMERGENCY_INTENT else urgency_of(flags)
        events = flags_slots(flags, level, tracker.get_slot("urgency")) if level is not Urgency.ROUTINE else []
        if level is Urgency.EMERGENCY:
            events.append(SlotSet("topics", []))  # no topic is offered in an emergency turn
        elif intent == QUESTION_INTENT:
            events.append(SlotSet("topics", rank_topics(tracker.latest_message, default_catalogue())))
        return events


class ActionRereadWarningSigns(Action):
    """Re-read the latest message as a warning sign: with earlier messages it completes a red flag."""

    def name(self) -> str:
        return "action_reread_warning_signs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        flags = default_warning_signs().flags_for(conversation_signs(tracker))
        intent = EMERGENCY_INTENT if urgency_of(flags) is Urgency.EMERGENCY else URGENT_INTENT
        latest = tracker.latest_message
        entities = [entity for entity in latest.get("entities") or [] if entity.get("entity") != "red_flag"]
        entities += [{"entity": "red_flag", "value": flag.id} for flag in flags]
        parse_data = {**latest, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
        return [
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            UserUttered(latest.get("text"), parse_data, input_channel=tracker.get_latest_input_channel()),
        ]


class ActionMarkSafe(Action):
    """The person says they are safe or getting care: close the emergency, if one is open."""

    def name(self) -> str:
        return MARK_SAFE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("urgency") != Urgency.EMERGENCY.value:
            dispatcher.utter_message(response="utter_no_emergency_open")
            return []
        dispatcher.utter_message(response="utter_glad_safe")
        return [
            SlotSet("urgency", Urgency.ROUTINE.value),
            SlotSet("warning_signs", None),
            SlotSet("warning_advice", None),
            SlotSet("crisis", False),
        ]


# A Yes or No button sends the intent itself, which the NLU does not read as text.
BUTTON_ANSWERS = {"affirm": "yes", "deny": "no"}


def answer_from(message: dict[str, Any]) -> str | None:
    """How the message answers a yes/no question: "yes", "no", "unsure" or None (the NLU reads it)."""
    answer = (message.get("warning_signs") or {}).get("answer")
    if answer is None and (message.get("text") or "").startswith("/"):
        answer = BUTTON_ANSWERS.get((message.get("intent") or {}).get("name"))
    return answer


class ValidateSafetyQuestionForm(FormValidationAction):
    """Read the answer to the targeted question from free text; explain when it isn't a yes or a no."""

    def name(self) -> str:
        return "validate_safety_question_form"

    async def validate_safety_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        question = default_warning_signs().question(tracker.get_slot("safety_question") or "")
        flag = default_warning_signs().flag(question.if_yes) if question else None
        if flag and flag.raised_by(conversation_signs(tracker)) is not None:
            return {"safety_answer": "yes"}  # the answer describes the sign itself
        answer = answer_from(tracker.latest_message)
        if answer is None:
            if tracker.get_slot("urgency") == Urgency.EMERGENCY.value:
                dispatcher.utter_message(response="utter_emergency")  # an open emergency comes first
            dispatcher.utter_message(response="utter_answer_not_understood")
        return {"safety_answer": answer}


class ActionAnswerSafetyQuestion(Action):
    """Act on the answer: a yes (or "not sure") escalates; a no gives the topic the question held back."""

    def name(self) -> str:
        return "action_answer_safety_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        warning_signs = default_warning_signs()
        question = warning_signs.question(tracker.get_slot("safety_question") or "")
        answer = tracker.get_slot("safety_answer")
        done = [SlotSet("safety_answer", None), SlotSet("safety_question", None)]
        if question is not None and answer in ("yes", "unsure"):
            flag = warning_signs.flag(question.if_yes)
            if answer == "unsure":
                dispatcher.utter_message(response="utter_unsure_is_a_possible_yes")
            events = flags_slots([flag], flag.urgency, tracker.get_slot("urgency"))
            slots = {event["name"]: event["value"] for event in events}
            dispatcher.utter_message(response="utter_emergency", **slots)
            return [*events, SlotSet("topics", []), *done]
        if tracker.get_slot("urgency") == Urgency.EMERGENCY.value:
            # A no settles this question only: the emergency raised earlier is still open and comes first.
            dispatcher.utter_message(response="utter_emergency")
        elif tracker.get_slot("urgency") == Urgency.URGENT.value:
            dispatcher.utter_message(response="utter_urgent_advice")
        self._give_held_back_topic(dispatcher, tracker)
        return done

    @staticmethod
    def _give_held_back_topic(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        catalogue = default_catalogue()
        topics = [topic for topic in tracker.get_slot("topics") or [] if catalogue.get(topic)]
        if not topics:
            return
        dispatcher.utter_message(response=f"utter_topic/{topics[0]}")
        buttons = [topic_button(catalogue[topic]) for topic in topics[1:4]]
        if buttons:
            utter_with_buttons(dispatcher, tracker, catalogue.messages["related_intro"], buttons)
