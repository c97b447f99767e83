"""Checks every channel applies before a message reaches Rasa.

A message is cleaned (control characters removed, broken Unicode replaced, whitespace trimmed) and
answered politely by the channel itself when there is nothing to read or too much to read (the domain's
`utter_message_*` responses). Sender ids
that cannot name a conversation (missing, not text, too long, control characters) are refused: without
one, Rasa would put every such message into one shared conversation called "default".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.responses import response_text

# Far above any description of symptoms (the longest training example has about 200 characters);
# reading 100 KB would occupy the server for seconds.
MAX_MESSAGE_CHARS = 2000
# Rasa's SQL tracker store keeps sender ids in a column of 255 characters.
MAX_SENDER_CHARS = 128
# C0 and C1 control characters and DEL, except tab and line breaks.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Surrogate code points left alone (JSON can carry "\ud800"); UTF-8 cannot encode them.
UNPAIRED_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text without control characters or unpaired surrogates, trimmed."""
    return CONTROL_CHARACTERS.sub("", UNPAIRED_SURROGATES.sub("\ufffd", text)).strip()


@dataclass(frozen=True)
class Checked:
    """Either `text` to hand to Rasa, or `reply` to send back instead."""

    text: str | None = None
    reply: str | None = None


def check_message(text: object) -> Checked:
    if not isinstance(text, str):
        return Checked(reply=response_text("utter_message_not_text"))
    text = clean_text(text)
    if not text:
        return Checked(reply=response_text("utter_message_empty"))
    if len(text) > MAX_MESSAGE_CHARS:
        return Checked(reply=response_text("utter_message_too_long", limit=MAX_MESSAGE_CHARS, length=len(text)))
    return Checked(text=text)


def sender_error(sender: object) -> str | None:
    """Why `sender` cannot name a conversation, or None when it can."""
    if isinstance(sender, bool) or not isinstance(sender, str | int):
        return "'sender' is required: a string naming the conversation"
    sender = str(sender)
    if not sender.strip():
        return "'sender' must not be empty"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' is longer than {MAX_SENDER_CHARS} characters"
    if CONTROL_CHARACTERS.search(sender) or clean_text(sender) != sender.strip():
        return "'sender' contains control characters or broken Unicode"
    return None
