"""Awkward messages every channel must survive, with what the person should get back.

"empty" and "too_long" are answered by the channel itself (the domain's `utter_message_*` responses); everything else is
cleaned and reaches the assistant, which answers it like any other message.
"""

from __future__ import annotations

from channels.validation import MAX_MESSAGE_CHARS
from knowledge.responses import response_text

# (name, message text, expected reply: "empty", "too_long" or "answer")
BAD_TEXTS = [
    ("empty", "", "empty"),
    ("whitespace only", " \n\t  \u00a0", "empty"),
    ("control characters only", "\x00\x07\x1b\x7f", "empty"),
    ("100 KB", "my neck hurts " * (100_000 // 14), "too_long"),
    ("just over the limit", "a" * (MAX_MESSAGE_CHARS + 1), "too_long"),
    ("control characters inside", "my\x00 neck\x1b[31m hurts\x07 when I turn my head", "answer"),
    ("replacement characters (was invalid UTF-8)", "\ufffd\ufffd my neck \ufffd hurts", "answer"),
    ("unpaired surrogate", "my neck \ud800 hurts", "answer"),
    ("emoji", "😖🤕 my neck 💥 hurts 😭😭", "answer"),
    ("emoji only", "🤕🤕🤕", "answer"),
    ("right-to-left", "رقبتي تؤلمني عندما أدير رأسي", "answer"),
    ("mixed direction", "my neck \u202eshurt\u202c a lot", "answer"),
    ("script tag", "<script>alert('x')</script> is botox safe for my neck?", "answer"),
    ("image with onerror", '<img src=x onerror="alert(1)"> my head pulls to the left', "answer"),
    ("markdown link", "[click me](javascript:alert(1)) neck pain", "answer"),
    ("SQL", "'; DROP TABLE events; -- my neck hurts", "answer"),
    ("template syntax", "{{7*7}} ${jndi:ldap://x} {topic} %s my neck hurts", "answer"),
    ("intent payload lookalike", '/choose_topic{"topic": "no_such_topic"}', "answer"),
]


def expected_reply(kind: str, text: str) -> str | None:
    """The exact text the channel answers with, or None when the assistant answers."""
    if kind == "empty":
        return response_text("utter_message_empty")
    if kind == "not_text":
        return response_text("utter_message_not_text")
    if kind == "too_long":
        return response_text("utter_message_too_long", limit=MAX_MESSAGE_CHARS, length=len(text.strip()))
    return None
