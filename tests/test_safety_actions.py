"""Actions that act on warning signs: record them, re-read a message that completes them, remind, close an
emergency, ask and act on the targeted question, and run the warning-sign check (triage_form)."""

from __future__ import annotations

import pytest

from actions.safety_actions import (
    UNNAMED_SIGNS,
    ActionAnswerSafetyQuestion,
    ActionMarkSafe,
    ActionRecordWarningSigns,
    ActionRereadWarningSigns,
    ValidateSafetyQuestionForm,
    answer_from,
    conversation_signs,
    raised_urgency,
)
from actions.triage import YES_NO_QUESTIONS, ActionTriageResult, ValidateTriageForm, earlier_answers, read_answer
from knowledge.red_flags import default_warning_signs, describe
from knowledge.urgency import Urgency
from tests.trackers import conversation, make_tracker, parse


def slots_set(events) -> dict:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def responses(dispatcher) -> list[str]:
    return [message.get("response") for message in dispatcher.messages]


def flag(flag_id: str):
    return default_warning_signs().flag(flag_id)


@pytest.mark.parametrize(
    "current, new, expected",
    [
        ("routine", Urgency.URGENT, Urgency.URGENT),
        ("urgent", Urgency.EMERGENCY, Urgency.EMERGENCY),
        ("emergency", Urgency.URGENT, Urgency.EMERGENCY),
        ("emergency", Urgency.ROUTINE, Urgency.EMERGENCY),
        (None, Urgency.ROUTINE, Urgency.ROUTINE),
        ("garbage", Urgency.URGENT, Urgency.URGENT),
    ],
)
def test_urgency_only_goes_up(current, new, expected):
    assert raised_urgency(current, new) is expected


# ------------------------------------------------------------------------------------ recording signs
async def test_an_emergency_names_only_the_emergency_signs_with_their_advice_and_offers_no_topic(dispatcher):
    message = parse("I'm on chemo and have a fever of 38.6, also my headaches are new since I turned 60")
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, conversation(message), {}))
    assert slots["urgency"] == "emergency"
    assert slots["warning_signs"] == describe([flag("fever_low_immunity")])
    assert slots["warning_advice"] == flag("fever_low_immunity").advice
    assert slots["topics"] == []
    assert slots["crisis"] is False
    assert dispatcher.messages == []  # the rules utter; the action only records


async def test_thoughts_of_suicide_call_for_crisis_support(dispatcher):
    message = parse("the migraines never stop and I want to end it all")
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, conversation(message), {}))
    assert slots["urgency"] == "emergency"
    assert slots["crisis"] is True


async def test_an_urgent_sign_does_not_lower_an_open_emergency(dispatcher):
    tracker = conversation(parse("I'm 64 and these headaches are new"), slots={"urgency": "emergency"})
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, tracker, {}))
    assert slots["urgency"] == "emergency"
    assert "topics" not in slots


async def test_an_emergency_the_statistical_nlu_alone_found_still_escalates(dispatcher):
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, make_tracker(intent="emergency_sign"), {}))
    assert slots["urgency"] == "emergency"
    assert slots["warning_signs"] == UNNAMED_SIGNS


async def test_before_a_targeted_question_the_topics_the_message_points_to_are_held_back(dispatcher):
    message = parse("I'm 30 weeks pregnant and have a headache")
    assert message["intent"]["name"] == "possible_warning_sign"
    message["response_selector"] = {
        "all_retrieval_intents": ["topic"],
        "topic": {"ranking": [{"intent_response_key": "topic/botox_headache", "confidence": 0.9}]},
    }
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, conversation(message), {}))
    assert slots == {"topics": ["botox_headache"]}


async def test_a_message_without_warning_signs_records_nothing(dispatcher):
    assert (
        await ActionRecordWarningSigns().run(dispatcher, conversation(parse("my neck is stiff from my desk")), {}) == []
    )


# ------------------------------------------------------------------------------------ signs across turns
def test_signs_add_up_across_the_conversation_until_it_starts_afresh():
    stiff, fever = parse("my neck is really stiff"), parse("and now I have a fever")
    assert {"stiff_neck", "fever"} <= conversation_signs(conversation(stiff, fever))
    assert "stiff_neck" not in conversation_signs(conversation(stiff, "action_mark_safe", fever))


async def test_a_message_that_completes_a_red_flag_is_read_again_as_an_emergency(dispatcher):
    tracker = conversation(parse("my neck is really stiff"), parse("and now I have a fever"))
    events = await ActionRereadWarningSigns().run(dispatcher, tracker, {})
    assert [event["event"] for event in events] == ["rewind", "action", "user"]
    reread = events[-1]["parse_data"]
    assert reread["intent"]["name"] == "emergency_sign"
    assert {"entity": "red_flag", "value": "meningitis_signs"} in reread["entities"]
    assert events[-1]["text"] == "and now I have a fever"


# ---------------------------------------------------------------------------------------------- closing
async def test_saying_you_are_safe_closes_the_emergency(dispatcher):
    tracker = make_tracker(intent="confirm_safe", slots={"urgency": "emergency", "crisis": True})
    slots = slots_set(await ActionMarkSafe().run(dispatcher, tracker, {}))
    assert slots == {"urgency": "routine", "warning_signs": None, "warning_advice": None, "crisis": False}
    assert responses(dispatcher) == ["utter_glad_safe"]


async def test_saying_you_are_safe_without_an_emergency_changes_nothing(dispatcher):
    tracker = make_tracker(intent="confirm_safe", slots={"urgency": "urgent"})
    assert await ActionMarkSafe().run(dispatcher, tracker, {}) == []
    assert responses(dispatcher) == ["utter_no_emergency_open"]


# ------------------------------------------------------------------------------------ the targeted question
@pytest.mark.parametrize(
    "message, answer",
    [
        (parse("yes"), "yes"),
        (parse("yeah it does"), "yes"),
        (parse("yeah, a bit"), "unsure"),  # a partial yes is a possible yes
        (parse("no"), "no"),
        (parse("nope, nothing like that"), "no"),
        (parse("not sure"), "unsure"),
        (parse("I don't know, maybe"), "unsure"),
        ({"text": "/affirm", "intent": {"name": "affirm"}}, "yes"),
        ({"text": "/deny", "intent": {"name": "deny"}}, "no"),
        ({"text": "/affirm is what I'd type", "intent": {"name": "topic"}}, None),
        (parse("what is cervical dystonia?"), None),
    ],
)
def test_answers_are_read_from_free_text_and_buttons(message, answer):
    assert answer_from(message) == answer


async def test_an_answer_that_is_not_a_yes_or_a_no_is_explained(dispatcher):
    tracker = conversation(
        parse("I have a fever and a headache"), parse("what?"), slots={"safety_question": "fever_check"}
    )
    result = await ValidateSafetyQuestionForm().validate_safety_answer("what?", dispatcher, tracker, {})
    assert result == {"safety_answer": None}
    assert responses(dispatcher) == ["utter_answer_not_understood"]


async def test_an_answer_that_describes_the_sign_is_a_yes(dispatcher):
    tracker = conversation(
        parse("I have a fever and a headache"),
        parse("my neck has gone really stiff"),
        slots={"safety_question": "fever_check"},
    )
    result = await ValidateSafetyQuestionForm().validate_safety_answer("", dispatcher, tracker, {})
    assert result == {"safety_answer": "yes"}


@pytest.mark.parametrize("answer, first", [("yes", "utter_emergency"), ("unsure", "utter_unsure_is_a_possible_yes")])
async def test_a_yes_or_not_sure_escalates_with_the_questions_red_flag(dispatcher, answer, first):
    tracker = make_tracker(slots={"safety_question": "fever_check", "safety_answer": answer, "topics": ["botox_risks"]})
    events = await ActionAnswerSafetyQuestion().run(dispatcher, tracker, {})
    slots = slots_set(events)
    assert slots["urgency"] == "emergency"
    assert slots["warning_signs"] == describe([flag("meningitis_signs")])
    assert slots["topics"] == [] and slots["safety_question"] is None and slots["safety_answer"] is None
    assert responses(dispatcher)[0] == first
    assert responses(dispatcher)[-1] == "utter_emergency"


async def test_a_no_gives_the_held_back_topic_and_related_ones(dispatcher):
    tracker = make_tracker(
        slots={"safety_question": "fever_check", "safety_answer": "no", "topics": ["botox_risks", "botox_headache"]}
    )
    slots = slots_set(await ActionAnswerSafetyQuestion().run(dispatcher, tracker, {}))
    assert slots == {"safety_question": None, "safety_answer": None}
    assert dispatcher.messages[0]["response"] == "utter_topic/botox_risks"
    assert [button["title"] for button in dispatcher.messages[1]["buttons"]] == ["Botox for headaches and migraine"]


async def test_a_no_after_an_urgent_sign_repeats_the_urgent_advice_first(dispatcher):
    tracker = make_tracker(
        slots={"urgency": "urgent", "safety_question": "pregnancy_check", "safety_answer": "no", "topics": []}
    )
    await ActionAnswerSafetyQuestion().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_urgent_advice"]


async def test_an_answer_not_understood_during_an_open_emergency_repeats_the_emergency_first(dispatcher):
    # Found by the conversation fuzz test: fever and a stiff neck, a pregnancy question, then "tell me more".
    tracker = make_tracker(text="tell me more", slots={"urgency": "emergency", "safety_question": "pregnancy_check"})
    result = await ValidateSafetyQuestionForm().validate_safety_answer("tell me more", dispatcher, tracker, {})
    assert result == {"safety_answer": None}
    assert responses(dispatcher) == ["utter_emergency", "utter_answer_not_understood"]


async def test_a_no_during_an_open_emergency_repeats_the_emergency_first(dispatcher):
    # Found by the conversation fuzz test: fever and a stiff neck, then a pregnancy question answered no.
    tracker = make_tracker(
        slots={"urgency": "emergency", "safety_question": "pregnancy_check", "safety_answer": "no", "topics": ["emg"]}
    )
    await ActionAnswerSafetyQuestion().run(dispatcher, tracker, {})
    assert responses(dispatcher)[0] == "utter_emergency"


# ------------------------------------------------------------------------------------ the warning-sign check
@pytest.mark.parametrize(
    "slot, text, answer",
    [
        ("triage_sudden_onset", "yes it was very sudden", "yes"),
        ("triage_sudden_onset", "it came on out of nowhere", "yes"),
        ("triage_sudden_onset", "kind of, it built up over a day", "no"),
        ("triage_sudden_onset", "no", "no"),
        ("triage_fever_rash", "yes, temp is 39", "yes"),
        ("triage_fever_rash", "not sure", "unsure"),
        ("triage_neuro", "nope", "no"),
        ("triage_injury", "about 2 weeks", None),
    ],
)
def test_check_answers_are_read_from_free_text(slot, text, answer):
    assert read_answer(slot, conversation(parse(text), active_loop="triage_form")) == answer


async def test_a_check_question_not_understood_is_explained_and_asked_again(dispatcher):
    tracker = conversation(
        parse("what do you mean"), slots={"requested_slot": "triage_neuro"}, active_loop="triage_form"
    )
    assert await ValidateTriageForm().validate_triage_neuro("x", dispatcher, tracker, {}) == {"triage_neuro": None}
    assert responses(dispatcher) == ["utter_answer_not_understood"]


async def test_a_duration_instead_of_an_answer_is_noted(dispatcher):
    message = {**parse("about 2 weeks"), "entities": [{"entity": "duration", "value": "2 weeks"}]}
    tracker = conversation(message, slots={"requested_slot": "triage_injury"}, active_loop="triage_form")
    assert await ValidateTriageForm().validate_triage_injury("x", dispatcher, tracker, {}) == {"triage_injury": None}
    assert responses(dispatcher) == ["utter_noted_duration"]


async def test_an_answer_given_out_of_turn_is_kept_until_the_check_asks(dispatcher):
    tracker = conversation(parse("yes"), slots={"requested_slot": "triage_neuro"}, active_loop="triage_form")
    result = await ValidateTriageForm().validate_triage_injury("no", dispatcher, tracker, {})
    assert result == {"triage_injury": "no"}


async def test_the_check_stops_asking_at_the_first_yes_or_not_sure(dispatcher):
    for answer in ("yes", "unsure"):
        tracker = conversation(parse("hm"), slots={"triage_sudden_onset": answer}, active_loop="triage_form")
        assert await ValidateTriageForm().required_slots(list(YES_NO_QUESTIONS), dispatcher, tracker, {}) == []


async def test_the_check_skips_what_the_person_already_denied(dispatcher):
    tracker = conversation(parse("headache for a week, no fever and no injury"), active_loop="triage_form")
    assert earlier_answers(tracker) == {"triage_fever_rash": "no", "triage_injury": "no"}
    remaining = await ValidateTriageForm().required_slots(list(YES_NO_QUESTIONS), dispatcher, tracker, {})
    assert "triage_fever_rash" not in remaining and "triage_injury" not in remaining
    assert "triage_sudden_onset" in remaining


async def test_a_yes_in_the_check_is_an_emergency_and_the_answers_are_cleared(dispatcher):
    tracker = conversation(parse("yes"), slots={"triage_neuro": "yes", "triage_sudden_onset": "no"})
    slots = slots_set(await ActionTriageResult().run(dispatcher, tracker, {}))
    assert slots["urgency"] == "emergency"
    assert slots["warning_signs"] == describe([flag("neurological_signs")])
    assert all(slots[slot] is None for slot in YES_NO_QUESTIONS)


async def test_not_sure_in_the_check_is_treated_as_a_possible_yes(dispatcher):
    tracker = conversation(parse("not sure"), slots={"triage_fever_rash": "unsure"})
    slots = slots_set(await ActionTriageResult().run(dispatcher, tracker, {}))
    assert slots["urgency"] == "emergency"
    assert responses(dispatcher) == ["utter_unsure_is_a_possible_yes"]


async def test_all_no_keeps_the_signs_of_the_conversation(dispatcher):
    tracker = conversation(
        parse("I'm 64 and these headaches are new"),
        parse("no"),
        slots={slot: "no" for slot in YES_NO_QUESTIONS},
    )
    slots = slots_set(await ActionTriageResult().run(dispatcher, tracker, {}))
    assert slots["urgency"] == "urgent"
    assert slots["warning_signs"] == describe([flag("new_headache_over_50")])


async def test_all_no_without_signs_leaves_the_urgency_as_it_was(dispatcher):
    tracker = conversation(parse("no"), slots={**{slot: "no" for slot in YES_NO_QUESTIONS}, "urgency": "routine"})
    assert slots_set(await ActionTriageResult().run(dispatcher, tracker, {}))["urgency"] == "routine"
