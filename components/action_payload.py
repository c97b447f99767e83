"""The conversation as the action server receives it: every event, encoded once, without the details no
action reads (Rasa 3.6's `RemoteAction._action_call_format`).

Rasa sends the whole conversation with every custom action, and the action server parses all of it
before it runs the action: at message 300 of one conversation about 1.5 MB, 20 ms to encode and parse
per call, growing with every message. Two changes:

1. Each event is encoded to JSON once, the first time it is sent, and kept on the event (events do not
   change once they are in a conversation); a request's list of events is the encoded events joined,
   which `ujson` inserts as it is. The rest of the request (slots, the latest message in full, the
   active loop, the domain) is Rasa's own.
2. In the events, a user message's NLU result keeps what actions read of past messages (the intent's
   name and confidence, the entities, the text) and loses the rankings of every intent and topic and
   the scores of the project's components; the latest message still arrives in full as
   `latest_message`. Rasa's model and assistant ids are left out of each event's metadata (what a
   response adds to it stays: `utter_action`, `urgency`). This halves the request.

tests/test_action_payload.py checks both: the request is Rasa's with exactly these parts left out at
every step of the conversation tests, and every custom action of `actions/` returns the same events and
messages from the lean request as from Rasa's.
"""

from __future__ import annotations

from typing import Any

import ujson
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import EventVerbosity

_rasa_action_call_format = RemoteAction._action_call_format

# What actions read of a past message's NLU result.
KEPT_PARSE_DATA = ("intent", "entities", "text")
KEPT_INTENT = ("name", "confidence")
# Rasa's own additions to every event's metadata, which no action reads.
RASA_METADATA = ("model_id", "assistant_id")
# Where an event keeps its encoded form (a deep copy of the event keeps it too: same content).
_ENCODED = "_action_server_json"


def lean_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event's `as_dict()` as the action server is sent it."""
    lean = dict(event)
    metadata = lean.get("metadata")
    if isinstance(metadata, dict):
        lean["metadata"] = {key: value for key, value in metadata.items() if key not in RASA_METADATA}
    parse_data = lean.get("parse_data") if lean.get("event") == "user" else None
    if isinstance(parse_data, dict):
        kept = {key: parse_data[key] for key in KEPT_PARSE_DATA if key in parse_data}
        if isinstance(kept.get("intent"), dict):
            kept["intent"] = {key: kept["intent"][key] for key in KEPT_INTENT if key in kept["intent"]}
        lean["parse_data"] = kept
    return lean


def encoded_event(event: Event) -> str:
    """The event as the action server is sent it, in JSON, encoded the first time it is asked for."""
    encoded = event.__dict__.get(_ENCODED)
    if encoded is None:
        encoded = ujson.dumps(lean_event(event.as_dict()))
        event.__dict__[_ENCODED] = encoded
    return encoded


class EncodedEvents:
    """A conversation's events for a request body: `ujson` writes `__json__()` into the JSON as it is."""

    def __init__(self, events: Any) -> None:
        self.events = list(events)

    def __json__(self) -> str:
        return "[" + ",".join(map(encoded_event, self.events)) + "]"


class _WithoutEvents:
    """The tracker as Rasa's `_action_call_format` reads it, its state made without the events."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker

    def current_state(self, event_verbosity: Any = None) -> dict[str, Any]:
        return self._tracker.current_state(EventVerbosity.NONE)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)


def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
    """Rasa's request to the action server, with the events encoded once each and lean."""
    result = _rasa_action_call_format(self, _WithoutEvents(tracker), domain)
    result["tracker"]["events"] = EncodedEvents(tracker.events)
    return result


def install() -> None:
    """Send the lean, once-encoded events; idempotent."""
    RemoteAction._action_call_format = action_call_format
