"""Warning signs, the warning-sign check and dose refusals, end to end through the real server."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from tests.expectations import DOCTOR_PROMPTS, DOMAIN, DOSE, response_texts
from tests.expectations import RED_FLAG_CASES as CASES

QUESTIONS = {
    slot: DOMAIN["responses"][f"utter_ask_{slot}"][0]["text"]
    for slot in DOMAIN["forms"]["triage_form"]["required_slots"]
}


def new_sender() -> str:
    return f"e2e-safety-{uuid.uuid4().hex}"


def is_emergency_message(reply: dict) -> bool:
    return reply.get("text", "").startswith("🚨 EMERGENCY")


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


def test_every_emergency_phrasing_escalates_first(stack):
    emergencies = [case["text"] for case in CASES if case["urgency"] == "emergency"]
    failures = []
    for text in emergencies:
        sender = new_sender()
        replies = stack.send(sender, text)
        slots = stack.tracker(sender)["slots"]
        if not (
            replies
            and is_emergency_message(replies[0])
            and slots["urgency"] == "emergency"
            and slots["topics"] == []
            and not any("may be relevant" in t for t in texts(replies))
            and replies[-1].get("text") in DOCTOR_PROMPTS
        ):
            failures.append((text, texts(replies)[:1], slots["urgency"]))
    print(f"\nEmergency phrasings through the server: {len(emergencies) - len(failures)}/{len(emergencies)} escalated")
    assert failures == []


def test_urgent_and_routine_phrasings_get_their_urgency(stack):
    outcomes: Counter = Counter()
    wrong = []
    for case in CASES:
        if case["urgency"] == "emergency":
            continue
        sender = new_sender()
        replies = stack.send(sender, case["text"])
        urgency = stack.tracker(sender)["slots"]["urgency"]
        outcomes[(case["urgency"], urgency)] += 1
        if urgency != case["urgency"]:
            wrong.append((case["text"], case["urgency"], urgency))
        if case["urgency"] == "urgent":
            assert "Please see a doctor today" in replies[0]["text"]
    print(f"\nUrgent and routine phrasings through the server (expected, got): {dict(outcomes)}")
    assert wrong == []


def test_after_an_emergency_every_turn_reminds_until_safe(stack):
    sender = new_sender()
    assert is_emergency_message(stack.send(sender, "I have a fever and a really stiff neck")[0])
    for follow_up in ["hello?", "what is emg", "thanks", "how many units of botox should I inject?"]:
        assert is_emergency_message(stack.send(sender, follow_up)[0]), follow_up
    stack.send(sender, "I'm at the hospital now, I'm safe")
    assert stack.tracker(sender)["slots"]["urgency"] == "routine"
    assert not is_emergency_message(stack.send(sender, "what is emg")[0])


def test_restarting_the_conversation_ends_the_reminders(stack):
    sender = new_sender()
    assert is_emergency_message(stack.send(sender, "my left arm went numb and weak an hour ago")[0])
    stack.send(sender, "/restart")
    assert stack.tracker(sender)["slots"]["urgency"] == "routine"
    assert not is_emergency_message(stack.send(sender, "what is emg")[0])


def answer_check(stack, sender: str, answers: dict[str, str]) -> tuple[list[str], list[dict]]:
    """Answer each question the check asks ("no" unless given); return the questions and the last replies."""
    asked = []
    replies = stack.send(sender, "/start_triage")
    for _ in range(len(QUESTIONS) + 1):
        question = next((slot for slot, q in QUESTIONS.items() if q in texts(replies)), None)
        if question is None:
            break
        asked.append(question)
        replies = stack.send(sender, answers.get(question, "no"))
    return asked, replies


@pytest.mark.parametrize(
    "opening, answers, expected",
    [
        ("my neck cramps up at my desk", {"triage_duration": "about three weeks"}, "routine"),
        ("i'm 64 and my headaches are new", {"triage_duration": "two months"}, "urgent"),
        ("does acupuncture help neck pain", {"triage_neuro": "yes", "triage_duration": "since yesterday"}, "emergency"),
    ],
)
def test_the_check_states_each_outcome(stack, opening, answers, expected):
    sender = new_sender()
    stack.send(sender, opening)
    asked, replies = answer_check(stack, sender, answers)
    assert asked == list(QUESTIONS)
    assert f"Result: {expected.upper()}" in " ".join(texts(replies))
    assert replies[-1]["text"] in DOCTOR_PROMPTS
    assert stack.tracker(sender)["slots"]["urgency"] == expected


def test_the_check_does_not_ask_again_what_was_said_earlier(stack):
    sender = new_sender()
    stack.send(sender, "stiff neck for 3 weeks now, no fever")
    asked, replies = answer_check(stack, sender, {})
    assert "triage_fever_rash" not in asked and "triage_duration" not in asked
    assert "Result: ROUTINE" in " ".join(texts(replies))


def test_a_typed_yes_to_the_offer_starts_the_check_and_stop_ends_it(stack):
    sender = new_sender()
    replies = stack.send(sender, "my neck cramps up at my desk")
    assert any("5 quick questions" in t for t in texts(replies))
    assert QUESTIONS["triage_sudden_onset"] in texts(stack.send(sender, "yes"))
    replies = stack.send(sender, "never mind")
    assert "stopped" in replies[0]["text"] and replies[-1]["text"] in DOCTOR_PROMPTS
    assert not (stack.tracker(sender).get("active_loop") or {}).get("name")


@pytest.mark.parametrize(
    "text",
    ["how many units of botox should I inject?", "what dose of diazepam?", "can you prescribe baclofen?"],
)
def test_dose_requests_are_refused_without_a_dose(stack, text):
    replies = stack.send(new_sender(), text)
    assert replies[0]["text"] in response_texts("utter_cannot_give_dose")
    assert replies[-1]["text"] in DOCTOR_PROMPTS
    assert not any(DOSE.search(t) for t in texts(replies))
