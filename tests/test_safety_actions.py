"""Actions that record warning signs, remind during an emergency, run the warning-sign check."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.safety_actions import (
    UNNAMED_SIGNS,
    ActionMarkSafe,
    ActionRecordWarningSigns,
    ActionRemindEmergency,
    raised_urgency,
)
from actions.triage import TRIAGE_SIGNS, YES_NO_QUESTIONS, ActionTriageResult, ValidateTriageForm, earlier_answers
from components.red_flag_detector import load_flags
from tests.trackers import make_tracker


def slots_set(events) -> dict:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def red_flags(*ids: str) -> list[dict]:
    return [{"entity": "red_flag", "value": flag_id} for flag_id in ids]


@pytest.mark.parametrize(
    "current, new, expected",
    [
        ("routine", "urgent", "urgent"),
        ("urgent", "emergency", "emergency"),
        ("emergency", "urgent", "emergency"),
        ("emergency", "routine", "emergency"),
        (None, "routine", "routine"),
        ("garbage", "urgent", "urgent"),
    ],
)
def test_urgency_only_goes_up(current, new, expected):
    assert raised_urgency(current, new) == expected


async def test_emergency_sets_urgency_describes_the_sign_and_offers_no_topic(dispatcher):
    tracker = make_tracker(intent="emergency_sign", entities=red_flags("meningitis_signs", "systemic_signs"))
    events = await ActionRecordWarningSigns().run(dispatcher, tracker, {})
    slots = slots_set(events)
    assert slots["urgency"] == "emergency"
    assert slots["warning_signs"] == load_flags()["meningitis_signs"].says  # only the emergency-level sign
    assert slots["topics"] == []
    assert dispatcher.messages == []


async def test_urgent_sign_does_not_lower_an_open_emergency(dispatcher):
    tracker = make_tracker(
        intent="warning_sign", entities=red_flags("worsening_headache"), slots={"urgency": "emergency"}
    )
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, tracker, {}))
    assert slots["urgency"] == "emergency"
    assert "topics" not in slots


async def test_emergency_predicted_without_a_named_sign_still_escalates(dispatcher):
    slots = slots_set(await ActionRecordWarningSigns().run(dispatcher, make_tracker(intent="emergency_sign"), {}))
    assert slots["urgency"] == "emergency"
    assert slots["warning_signs"] == UNNAMED_SIGNS


@pytest.mark.parametrize("urgency, reminded", [("emergency", True), ("urgent", False), ("routine", False)])
async def test_reminder_only_while_an_emergency_is_open(dispatcher, urgency, reminded):
    await ActionRemindEmergency().run(dispatcher, make_tracker(intent="greet", slots={"urgency": urgency}), {})
    assert [m.get("response") for m in dispatcher.messages] == (["utter_emergency"] if reminded else [])


async def test_saying_you_are_safe_closes_the_emergency(dispatcher):
    tracker = make_tracker(intent="confirm_safe", slots={"urgency": "emergency"})
    assert slots_set(await ActionMarkSafe().run(dispatcher, tracker, {})) == {
        "urgency": "routine",
        "warning_signs": None,
    }


def tracker_with_history(messages: list[list[dict]], slots: dict | None = None) -> Tracker:
    events = [
        {"event": "user", "text": "...", "parse_data": {"intent": {"name": "topic"}, "entities": entities}}
        for entities in messages
    ]
    base = make_tracker(intent="start_triage", slots=slots)
    return Tracker(
        base.sender_id, base.slots, base.latest_message, events, False, None, {"name": "triage_form"}, "action_listen"
    )


def test_earlier_denials_answer_their_questions():
    tracker = tracker_with_history(
        [
            [{"entity": "absent_sign", "value": "fever"}, {"entity": "symptom", "value": "stiff neck"}],
            [{"entity": "absent_sign", "value": "injury"}, {"entity": "absent_sign", "value": "weakness_limb"}],
        ]
    )
    assert earlier_answers(tracker) == {"triage_fever_rash": False, "triage_injury": False}


async def test_check_skips_questions_answered_earlier(dispatcher):
    tracker = tracker_with_history([[{"entity": "absent_sign", "value": "fever"}]])
    required = await ValidateTriageForm().required_slots(list(YES_NO_QUESTIONS), dispatcher, tracker, {})
    assert "triage_fever_rash" not in required
    assert required == [slot for slot in YES_NO_QUESTIONS if slot != "triage_fever_rash"]


@pytest.mark.parametrize(
    "answers, urgency_before, expected",
    [
        ({slot: False for slot in YES_NO_QUESTIONS}, "routine", "routine"),
        ({slot: False for slot in YES_NO_QUESTIONS}, "urgent", "urgent"),
        ({**{slot: False for slot in YES_NO_QUESTIONS}, "triage_neuro": True}, "routine", "emergency"),
        ({**{slot: False for slot in YES_NO_QUESTIONS}, "triage_swallow_breath": True}, "urgent", "emergency"),
    ],
)
async def test_check_result(dispatcher, answers, urgency_before, expected):
    tracker = make_tracker(intent="deny", slots={**answers, "urgency": urgency_before})
    slots = slots_set(await ActionTriageResult().run(dispatcher, tracker, {}))
    assert slots["urgency"] == expected
    if expected == "emergency":
        assert slots["warning_signs"] == TRIAGE_SIGNS


async def test_check_result_uses_an_earlier_denial_for_a_skipped_question(dispatcher):
    answers = {slot: False for slot in YES_NO_QUESTIONS if slot != "triage_fever_rash"}
    tracker = tracker_with_history([[{"entity": "absent_sign", "value": "fever"}]], slots=answers)
    assert slots_set(await ActionTriageResult().run(dispatcher, tracker, {}))["urgency"] == "routine"
