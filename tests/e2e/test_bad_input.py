"""Bad input through the REST channel: a clear HTTP error or a polite reply, never a crash, and the
other conversations go on as if nothing happened (the socket.io and Slack versions are in their files)."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.e2e.bad_inputs import BAD_TEXTS, expected_reply

QUESTION = "start suddenly"  # in the warning-sign check's first question


def post(stack, body: bytes, content_type: str = "application/json") -> requests.Response:
    return requests.post(
        f"{stack.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}, timeout=60
    )


@pytest.fixture(scope="module")
def bystander(stack) -> str:
    """A conversation half-way through the warning-sign check while others send bad input."""
    sender = f"bystander-{uuid.uuid4().hex}"
    stack.send(sender, "my neck has been stiff for a week")
    replies = stack.send(sender, "/start_triage")
    assert any(QUESTION in (reply.get("text") or "") for reply in replies)
    return sender


@pytest.mark.parametrize("name, text, kind", BAD_TEXTS, ids=[name for name, _, _ in BAD_TEXTS])
def test_awkward_messages_get_a_reply(stack, bystander, name, text, kind):
    sender = f"bad-{uuid.uuid4().hex}"
    # json.dumps escapes what UTF-8 cannot carry (the unpaired surrogate) the way browsers do.
    answer = post(stack, json.dumps({"sender": sender, "message": text}).encode())
    assert answer.status_code == 200, answer.text
    replies = [reply.get("text") or "" for reply in answer.json()]
    assert replies, f"no reply to {name}"
    expected = expected_reply(kind, text)
    if expected is not None:
        assert replies == [expected]
        return
    # The assistant answered: the markup it was sent is never part of its reply.
    for fragment in ("<script", "<img", "onerror", "javascript:", "DROP TABLE", "${jndi"):
        assert all(fragment not in reply for reply in replies), (fragment, replies)


# (name, raw body, content type): each must be refused with 400 and a message saying what is wrong.
MALFORMED = [
    ("no body", b"", "application/json"),
    ("not JSON", b"hello there", "application/json"),
    ("binary", bytes(range(256)), "application/octet-stream"),
    ("invalid UTF-8 in JSON", b'{"sender": "x", "message": "\xff\xfe neck"}', "application/json"),
    ("truncated JSON", b'{"sender": "x", "message": "neck', "application/json"),
    ("JSON array", b'["x", "neck pain"]', "application/json"),
    ("JSON string", b'"neck pain"', "application/json"),
    ("JSON null", b"null", "application/json"),
    ("no sender", b'{"message": "neck pain"}', "application/json"),
    ("empty sender", b'{"sender": "", "message": "neck pain"}', "application/json"),
    ("sender is an object", b'{"sender": {"id": 1}, "message": "neck pain"}', "application/json"),
    ("sender is true", b'{"sender": true, "message": "neck pain"}', "application/json"),
    ("very long sender", json.dumps({"sender": "x" * 10_000, "message": "neck pain"}).encode(), "application/json"),
    ("sender with control characters", b'{"sender": "a\\u0000b", "message": "neck pain"}', "application/json"),
    ("no message", b'{"sender": "x"}', "application/json"),
    ("metadata is a string", b'{"sender": "x", "message": "hi", "metadata": "{}"}', "application/json"),
    ("input_channel is a number", b'{"sender": "x", "message": "hi", "input_channel": 5}', "application/json"),
]


@pytest.mark.parametrize("name, body, content_type", MALFORMED, ids=[name for name, _, _ in MALFORMED])
def test_malformed_requests_are_a_clear_400(stack, bystander, name, body, content_type):
    answer = post(stack, body, content_type)
    assert answer.status_code == 400, (answer.status_code, answer.text)
    assert answer.json()["error"]


@pytest.mark.parametrize("message", [None, 42, ["neck pain"], {"text": "neck pain"}])
def test_a_message_that_is_not_text_gets_a_polite_reply(stack, message):
    answer = post(stack, json.dumps({"sender": f"bad-{uuid.uuid4().hex}", "message": message}).encode())
    assert answer.status_code == 200
    assert [reply["text"] for reply in answer.json()] == [expected_reply("not_text", "")]


def test_the_bystander_conversation_is_untouched(stack, bystander):
    """Runs after the bad input above: the check goes on at its second question."""
    tracker = stack.tracker(bystander)
    assert tracker["active_loop"].get("name") == "triage_form"
    assert [event["text"] for event in tracker["events"] if event["event"] == "user"] == [
        "my neck has been stiff for a week",
        "/start_triage",
    ]
    replies = stack.send(bystander, "no")
    assert replies and "fever" in replies[0]["text"].lower()
