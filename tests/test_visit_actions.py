"""The visit summary and the forget action, run with a CollectingDispatcher on conversations built from events."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.visit import ActionForgetConversation, ActionVisitSummary, doctor_questions, summary_values
from knowledge.responses import response_text, slot_defaults

DOSE = re.compile(r"\b\d+\s*(mg|milligrams?|units?|ml|iu|tablets?|pills?)\b", re.IGNORECASE)


def user(text: str, intent: str, **entities: str) -> dict[str, Any]:
    parse = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in entities.items()],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def bot(response: str, text: str = "") -> dict[str, Any]:
    return {"event": "bot", "text": text or f"({response})", "metadata": {"utter_action": response}}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def conversation(events: list[dict[str, Any]], **slots: Any) -> Tracker:
    values = {**slot_defaults(), **{e["name"]: e["value"] for e in events if e["event"] == "slot"}, **slots}
    return Tracker("visit", values, events[-1] if events else {}, events, False, None, {}, "action_listen")


SUDDEN = "1/5: Did the pain or headache start suddenly and very severely?"
FEVER = "2/5: Do you have a fever together with a stiff neck?"
BOTOX_AND_CHECK = [
    user("hi", "greet"),
    bot("utter_greet"),
    user("my neck keeps pulling to the left for 3 weeks, is botox an option", "topic", symptom="pulling"),
    bot("utter_topic/botox_neck_pain"),
    user("what are the side effects", "topic", body_part="neck", duration="3 weeks"),
    bot("utter_topic/botox_risks"),
    bot("utter_topic/botox_neck_pain"),
    user("/start_triage", "start_triage"),
    bot("utter_ask_triage_sudden_onset", SUDDEN),
    user("no", "deny"),
    slot("triage_sudden_onset", "no"),
    bot("utter_ask_triage_fever_rash", FEVER),
    user("not sure", "affirm"),
    slot("triage_fever_rash", "not sure"),
    slot("triage_fever_rash", "unsure"),
]


def summary_text(tracker: Tracker) -> str:
    """The summary as the person reads it: the domain's response filled with the action's values."""
    return response_text("utter_visit_summary", **summary_values(tracker, _catalogue()))


def _catalogue():
    from knowledge.catalogue import default_catalogue

    return default_catalogue()


async def test_the_summary_is_the_domain_response_filled_from_the_conversation():
    dispatcher = CollectingDispatcher()
    assert await ActionVisitSummary().run(dispatcher, conversation(BOTOX_AND_CHECK), {}) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_visit_summary"
    assert set(summary_values(conversation(BOTOX_AND_CHECK), _catalogue())) <= set(message)


def test_it_quotes_the_first_description_not_the_greeting_or_a_later_message():
    values = summary_values(conversation(BOTOX_AND_CHECK), _catalogue())
    assert values["first_description"] == '"my neck keeps pulling to the left for 3 weeks, is botox an option"'


def test_it_lists_what_was_recognised_and_for_how_long():
    mentioned = summary_values(conversation(BOTOX_AND_CHECK), _catalogue())["mentioned"]
    assert "pulling" in mentioned and "neck" in mentioned and "3 weeks" in mentioned


def test_each_question_asked_comes_with_its_answer_and_the_resulting_urgency():
    tracker = conversation(BOTOX_AND_CHECK, urgency="emergency")
    lines = summary_values(tracker, _catalogue())["warning_sign_answers"].splitlines()
    assert lines[0].endswith(f"{SUDDEN} No") and lines[1].endswith(f"{FEVER} Not sure")
    assert "emergency" in lines[-1]


def test_a_question_left_unanswered_says_so():
    events = [*BOTOX_AND_CHECK[:9]]  # the first question asked, then the person asked for the summary
    lines = summary_values(conversation(events), _catalogue())["warning_sign_answers"].splitlines()
    assert lines[0].endswith(f"{SUDDEN} {_catalogue().messages['summary_not_answered']}")


def test_topics_read_are_listed_once_each_with_their_articles():
    topics = summary_values(conversation(BOTOX_AND_CHECK), _catalogue())["topics_read"].splitlines()
    catalogue = _catalogue()
    assert len(topics) == 2
    assert catalogue["botox_neck_pain"].title in topics[0] and catalogue["botox_risks"].title in topics[1]
    assert "Botox For Neck Pain: An Innovative Solution To Chronic Discomfort" in topics[0]


def test_questions_for_the_doctor_come_from_the_topics_read():
    catalogue = _catalogue()
    questions = doctor_questions(["botox_neck_pain"], catalogue)
    assert 3 <= len(questions) <= 5
    assert set(questions) <= set(catalogue["botox_neck_pain"].doctor_questions)
    asked = " ".join(questions).lower()
    assert "how many" in asked and "side effects" in asked and "wears off" in asked


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        ([], 3),
        (["emg"], 3),
        (["emg", "whiplash"], 5),
        (["emg", "whiplash", "botox_risks", "cervical_disc"], 5),
    ],
)
def test_there_are_always_three_to_five_questions(topics, expected):
    questions = doctor_questions(topics, _catalogue())
    assert len(questions) == expected and len(set(questions)) == expected


def test_several_topics_each_give_a_question_before_any_gives_a_second():
    catalogue = _catalogue()
    questions = doctor_questions(["emg", "whiplash"], catalogue)
    assert questions[0] == catalogue["emg"].doctor_questions[0]
    assert questions[1] == catalogue["whiplash"].doctor_questions[0]


@pytest.mark.parametrize(
    ("urgency", "closing"),
    [("routine", "summary_closing_routine"), ("urgent", "summary_closing_urgent")],
)
def test_the_doctor_prompt_comes_last_and_fits_the_urgency(urgency, closing):
    text = summary_text(conversation(BOTOX_AND_CHECK, urgency=urgency))
    assert text.rstrip().endswith(_catalogue().messages[closing])


def test_an_open_emergency_ends_the_summary_with_the_emergency_numbers():
    text = summary_text(conversation(BOTOX_AND_CHECK, urgency="emergency"))
    last = text.rstrip().splitlines()[-1]
    assert slot_defaults()["emergency_numbers"] in last and "emergency" in last


def test_it_says_it_is_the_persons_own_account_and_adds_no_diagnosis_or_dose():
    text = summary_text(conversation(BOTOX_AND_CHECK))
    assert "your own account" in text and "not a medical record" in text and "not a diagnosis" in text
    values = summary_values(conversation(BOTOX_AND_CHECK), _catalogue())
    assert not DOSE.search(text.replace(values["first_description"], ""))
    # Only the questions of the warning-sign check ask "do you have"; nothing states what the person has.
    added = [value for name, value in values.items() if name not in ("first_description", "warning_sign_answers")]
    assert not re.search(r"\byou (have|are suffering from|probably have)\b", " ".join(added), re.IGNORECASE)


def test_every_topics_questions_name_no_dose():
    catalogue = _catalogue()
    for topic in catalogue.topics:
        for question in [*topic.doctor_questions, *catalogue.general_doctor_questions]:
            assert not DOSE.search(question), (topic.id, question)


def test_an_empty_conversation_still_gives_a_complete_summary():
    text = summary_text(conversation([user("summary", "summary")]))
    nothing = _catalogue().messages["summary_nothing"]
    assert text.count(nothing) == 4  # own words, mentioned, questions asked, topics read
    assert "{" not in text and "}" not in text


async def test_the_forget_action_says_it_is_done():
    dispatcher = CollectingDispatcher()
    assert await ActionForgetConversation().run(dispatcher, conversation(BOTOX_AND_CHECK), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_conversation_forgotten"]
