"""The assistant's sentences that are said outside Rasa's dialogue (by the channels before a message
reaches Rasa, and by the web page), read from the domain's responses so that each lives once.

Placeholders are filled as Rasa fills them, from slots (here their initial values in the domain, such
as `emergency_numbers`), plus whatever values the caller passes (`limit`, `length`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

DOMAIN_PATH = Path(__file__).resolve().parent.parent / "domain.yml"
# Replies the channels render in their own way, known by the response that produced them (never by their
# text): the visit summary (printed, saved, posted in sections) and the note that a conversation was erased.
VISIT_SUMMARY = "utter_visit_summary"
CONVERSATION_FORGOTTEN = "utter_conversation_forgotten"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def _domain() -> dict:
    return yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))


def domain_response(name: str) -> list[dict]:
    """The variations of one of the domain's responses, as written."""
    return _domain()["responses"][name]


def slot_defaults() -> dict[str, object]:
    """Each slot's initial value in the domain (those without one are left out)."""
    slots = _domain().get("slots") or {}
    return {name: slot["initial_value"] for name, slot in slots.items() if slot.get("initial_value") is not None}


def response_text(name: str, **values: object) -> str:
    """The text of the response's first variation, its placeholders filled; an unknown placeholder is an
    error rather than a brace shown to the person."""
    fill = {**slot_defaults(), **values}
    text = domain_response(name)[0]["text"]

    def value(match: re.Match) -> str:
        if match.group(1) not in fill:
            raise KeyError(f"{name}: no value for {{{match.group(1)}}}")
        return str(fill[match.group(1)])

    return PLACEHOLDER.sub(value, text)
