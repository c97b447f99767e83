"""The checks every channel applies before a message reaches Rasa (channels/validation.py)."""

from __future__ import annotations

import pytest

from channels.validation import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, check_message, clean_text, sender_error
from knowledge.responses import response_text, slot_defaults


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("my neck hurts", "my neck hurts"),
        ("  my neck hurts \n", "my neck hurts"),
        ("my\x00 neck\x1b[31m hurts\x07", "my neck[31m hurts"),
        ("line one\nline two\ttab", "line one\nline two\ttab"),
        ("neck \ud800 pain", "neck \ufffd pain"),
        ("😖 رقبتي", "😖 رقبتي"),
        ("\x85\x9f", ""),
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    "message, expected_reply",
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("\x00\x07", "empty"),
        (None, "not_text"),
        (42, "not_text"),
        (["neck"], "not_text"),
        ("a" * (MAX_MESSAGE_CHARS + 1), "too_long"),
    ],
)
def test_unreadable_messages_get_a_reply_instead(message, expected_reply):
    verdict = check_message(message)
    assert verdict.text is None
    expected = response_text(f"utter_message_{expected_reply}", limit=MAX_MESSAGE_CHARS, length=len(str(message)))
    assert verdict.reply.startswith(expected[:20])


def test_the_long_message_reply_says_the_limit_and_the_emergency_number():
    reply = check_message("a" * 100_000).reply
    assert str(MAX_MESSAGE_CHARS) in reply and "100000" in reply and "emergency" in reply
    assert slot_defaults()["emergency_numbers"] in reply and "{" not in reply


@pytest.mark.parametrize("message", ["neck pain", "a" * MAX_MESSAGE_CHARS, " <b>hi</b> ", "/greet"])
def test_readable_messages_pass_cleaned(message):
    assert check_message(message).text == message.strip()


@pytest.mark.parametrize(
    "sender, refused",
    [
        ("U123", False),
        (12345, False),
        ("a" * MAX_SENDER_CHARS, False),
        (None, True),
        (True, True),
        ({"id": 1}, True),
        ("", True),
        ("   ", True),
        ("a" * (MAX_SENDER_CHARS + 1), True),
        ("a\x00b", True),
        ("a\ud800", True),
    ],
)
def test_sender_ids(sender, refused):
    assert (sender_error(sender) is not None) is refused
