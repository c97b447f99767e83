"""The visit summary and forgetting, end to end through the REST channel of the real servers; the erased
conversation is checked in the SQLite file itself."""

from __future__ import annotations

import sqlite3
import uuid

from evaluation.expectations import response_texts
from knowledge.catalogue import default_catalogue

SYMPTOM = "my head keeps pulling to the left on its own for 2 months"


def new_sender() -> str:
    return f"visit-{uuid.uuid4().hex}"


def by_response(replies: list[dict], name: str) -> list[dict]:
    return [reply for reply in replies if reply.get("response") == name]


def stored_rows(stack, sender: str) -> int:
    with sqlite3.connect(stack.workdir / "conversations.db") as connection:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def run_check(stack, sender: str) -> list[dict]:
    """Start the warning-sign check and answer no to every question; the replies that give the result."""
    replies = stack.send(sender, "/start_triage")
    for _ in range(6):
        if by_response(replies, "utter_triage_result"):
            return replies
        replies = stack.send(sender, "no")
    raise AssertionError(f"the check did not end: {replies}")


def test_the_summary_reports_what_was_said_asked_and_read(stack):
    sender = new_sender()
    stack.send(sender, "hi")
    first = stack.send(sender, SYMPTOM)
    topic = next(reply["response"] for reply in first if reply.get("response", "").startswith("utter_topic/"))
    stack.send(sender, "and is botox for neck pain any good")
    after_check = run_check(stack, sender)

    # The check ends by offering the summary, with the doctor prompt still last.
    [offer] = by_response(after_check, "utter_offer_summary")
    assert [button["payload"] for button in offer["buttons"]] == ["/summary"]
    assert after_check[-1]["response"] == "utter_see_doctor"

    # Rasa's REST channel sends each paragraph of a text as its own message.
    text = "\n\n".join(reply["text"] for reply in by_response(stack.send(sender, "/summary"), "utter_visit_summary"))
    assert f'"{SYMPTOM}"' in text, "the first description, quoted"
    assert "hi" not in text.split("In your own words:")[1].splitlines()[1]
    catalogue = default_catalogue()
    for topic_id in (topic.split("/", 1)[1], "botox_neck_pain"):
        assert catalogue[topic_id].title in text
        assert catalogue[topic_id].sources[0].title in text
    assert "2 months" in text.split("What you mentioned:")[1].split("Warning-sign")[0]
    asked = [line for line in text.splitlines() if line.startswith("• 1/5") or line.startswith("• 5/5")]
    assert len(asked) == 2 and all(line.endswith(catalogue.messages["summary_answer_no"]) for line in asked)
    assert catalogue.messages["summary_urgency_routine"] in text
    assert catalogue["botox_neck_pain"].doctor_questions[0] in text
    assert "not a medical record" in text
    assert text.rstrip().endswith(catalogue.messages["summary_closing_routine"])


def test_typed_words_ask_for_the_summary_too(stack):
    sender = new_sender()
    stack.send(sender, "i've had a stiff sore neck since last week")
    replies = stack.send(sender, "what should i tell my doctor?")
    assert by_response(replies, "utter_visit_summary")


def test_a_typed_request_to_be_forgotten_is_confirmed_and_a_no_keeps_everything(stack):
    sender = new_sender()
    stack.send(sender, SYMPTOM)
    [confirm] = by_response(stack.send(sender, "please forget me"), "utter_confirm_forget")
    assert [button["payload"] for button in confirm["buttons"]] == ["/forget", "/deny"]
    before = stored_rows(stack, sender)
    assert before > 0

    assert by_response(stack.send(sender, "no"), "utter_conversation_kept")
    texts = [event.get("text") for event in stack.tracker(sender)["events"] if event["event"] == "user"]
    assert SYMPTOM in texts and stored_rows(stack, sender) > before


def test_forgetting_leaves_nothing_in_the_database_or_the_tracker(stack):
    sender = new_sender()
    stack.send(sender, SYMPTOM)
    stack.send(sender, "/start_triage")
    stack.send(sender, "no")
    assert stored_rows(stack, sender) > 0

    stack.send(sender, "delete my conversation")
    replies = stack.send(sender, "yes")
    assert [reply["text"] for reply in by_response(replies, "utter_conversation_forgotten")]
    assert by_response(replies, "utter_conversation_forgotten")[0]["text"] in response_texts(
        "utter_conversation_forgotten"
    )

    assert stored_rows(stack, sender) == 0
    tracker = stack.tracker(sender)
    assert not [event for event in tracker["events"] if event["event"] in ("user", "bot")]
    assert tracker["slots"]["urgency"] == "routine" and not tracker["slots"]["triage_sudden_onset"]

    # The conversation goes on as a new one.
    again = stack.send(sender, "hello")
    assert again and stored_rows(stack, sender) > 0
    users = [event["text"] for event in stack.tracker(sender)["events"] if event["event"] == "user"]
    assert users == ["hello"]


def test_the_button_erases_at_once(stack):
    sender = new_sender()
    stack.send(sender, SYMPTOM)
    replies = stack.send(sender, "/forget")
    assert [reply["response"] for reply in replies] == ["utter_conversation_forgotten"]
    assert stored_rows(stack, sender) == 0
