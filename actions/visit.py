"""The visit summary (what to bring to the doctor) and erasing the conversation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.catalogue import Catalogue, default_catalogue
from knowledge.urgency import Urgency

# Messages that describe what the person feels or asks about; greetings, buttons and answers do not.
HEALTH_INTENTS = frozenset({"topic", "emergency_sign", "warning_sign", "possible_warning_sign", "ask_dose"})
# The questions of the warning-sign check and the targeted question, by the slot each one fills.
QUESTION_PREFIX = "utter_ask_"
ASKED_SLOTS = frozenset(
    {
        "triage_sudden_onset",
        "triage_fever_rash",
        "triage_neuro",
        "triage_injury",
        "triage_swallow_breath",
        "triage_duration",
        "safety_answer",
    }
)
TOPIC_RESPONSE_PREFIX = "utter_topic/"
MAX_DOCTOR_QUESTIONS = 5
MIN_DOCTOR_QUESTIONS = 3
BULLET = "• "


@dataclass
class Conversation:
    """What the visit summary reports, read from the conversation's events."""

    first_description: str | None = None
    symptoms: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    durations: list[str] = field(default_factory=list)
    # (question as it was asked, slot value of its answer or None)
    answers: list[tuple[str, str | None]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def _add(values: list[str], value: object) -> None:
    if isinstance(value, str) and value.strip() and value.strip().lower() not in values:
        values.append(value.strip().lower())


def read_conversation(events: Iterable[Mapping[str, Any]]) -> Conversation:
    """The person's first description, what they mentioned, the questions asked and the topics shown."""
    seen = Conversation()
    waiting: dict[str, int] = {}  # slot -> index in seen.answers of the latest question that fills it
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            if (parse.get("intent") or {}).get("name") not in HEALTH_INTENTS:
                continue
            if seen.first_description is None and (event.get("text") or "").strip():
                seen.first_description = event["text"].strip()
            for entity in parse.get("entities") or []:
                target = {"symptom": seen.symptoms, "body_part": seen.places, "duration": seen.durations}
                if entity.get("entity") in target:
                    _add(target[entity["entity"]], entity.get("value"))
        elif kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action") or ""
            if response.startswith(QUESTION_PREFIX) and response[len(QUESTION_PREFIX) :] in ASKED_SLOTS:
                waiting[response[len(QUESTION_PREFIX) :]] = len(seen.answers)
                seen.answers.append((event.get("text") or "", None))
            elif response.startswith(TOPIC_RESPONSE_PREFIX):
                _add(seen.topics, response[len(TOPIC_RESPONSE_PREFIX) :])
        elif kind == "slot" and event.get("name") in waiting and event.get("value") is not None:
            # The last value counts: the form's validation turns the words read ("not sure") into the answer.
            index = waiting[event["name"]]
            seen.answers[index] = (seen.answers[index][0], str(event["value"]))
            if event["name"] == "triage_duration":
                _add(seen.durations, event["value"])
    return seen


def doctor_questions(topic_ids: list[str], catalogue: Catalogue) -> list[str]:
    """Three to five questions: the topics' own, taken in turn from each topic read, then general ones."""
    per_topic = [list(catalogue[topic_id].doctor_questions) for topic_id in topic_ids if catalogue.get(topic_id)]
    questions: list[str] = []
    while any(per_topic) and len(questions) < MAX_DOCTOR_QUESTIONS:
        for remaining in per_topic:
            if remaining and len(questions) < MAX_DOCTOR_QUESTIONS:
                questions.append(remaining.pop(0))
    for general in catalogue.general_doctor_questions:
        if len(questions) >= MIN_DOCTOR_QUESTIONS:
            break
        questions.append(general)
    return questions


def answer_text(answer: str | None, catalogue: Catalogue) -> str:
    """An answer as shown: yes, no or not sure in words, a free-text answer (a duration) as given."""
    if answer is None:
        return catalogue.messages["summary_not_answered"]
    return catalogue.messages.get(f"summary_answer_{answer}", answer)


def _lines(lines: list[str], catalogue: Catalogue) -> str:
    return "\n".join(BULLET + line for line in lines) if lines else catalogue.messages["summary_nothing"]


def summary_values(tracker: Tracker, catalogue: Catalogue) -> dict[str, str]:
    """The values of utter_visit_summary's placeholders for this conversation."""
    seen = read_conversation(tracker.events)
    messages = catalogue.messages
    mentioned = []
    if seen.symptoms:
        mentioned.append(messages["summary_symptoms"].format(values=", ".join(seen.symptoms)))
    if seen.places:
        mentioned.append(messages["summary_places"].format(values=", ".join(seen.places)))
    if seen.durations:
        mentioned.append(messages["summary_duration"].format(value=", ".join(seen.durations)))
    if tracker.get_slot("warning_signs"):
        mentioned.append(messages["summary_warning_signs"].format(value=tracker.get_slot("warning_signs")))
    urgency = Urgency.parse(tracker.get_slot("urgency"))
    answers = [f"{question} {answer_text(answer, catalogue)}" for question, answer in seen.answers]
    if answers or urgency is not Urgency.ROUTINE:
        answers.append(messages[f"summary_urgency_{urgency.value}"])
    topics = [
        messages["summary_topic"].format(title=catalogue[topic_id].title, sources=catalogue[topic_id].source_titles)
        for topic_id in seen.topics
        if catalogue.get(topic_id)
    ]
    quoted = f'"{seen.first_description}"' if seen.first_description else messages["summary_nothing"]
    return {
        "first_description": quoted,
        "mentioned": _lines(mentioned, catalogue),
        "warning_sign_answers": _lines(answers, catalogue),
        "topics_read": _lines(topics, catalogue),
        "doctor_questions": _lines(doctor_questions(seen.topics, catalogue), catalogue),
        "closing": messages[f"summary_closing_{urgency.value}"].format(
            emergency_numbers=tracker.get_slot("emergency_numbers") or ""
        ),
    }


class ActionVisitSummary(Action):
    """Sum up the conversation for the person to take to their doctor."""

    def name(self) -> str:
        return "action_visit_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_visit_summary", **summary_values(tracker, default_catalogue()))
        return []


class ActionForgetConversation(Action):
    """Say that the conversation is erased; the tracker store erases it when it stores this action."""

    def name(self) -> str:
        return "action_forget_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_conversation_forgotten")
        return []
