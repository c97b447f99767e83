"""What the Slack channel remembers between requests, kept where every server of the assistant sees it.

Two things: the events already answered (Slack retries an event it thinks was not delivered, possibly to
another server, possibly after a restart), and, per conversation, the messages whose buttons are still
live (the buttons of the assistant's latest reply; a click on any older one is a closed question).

They live in the store the servers share: Redis when the lock store is Redis (the scale-out profile),
otherwise a table next to the conversations in the SQL tracker store (the default SQLite file, or
PostgreSQL), otherwise, for a store in memory, this process's memory. Nothing of what the person wrote is
kept here: event ids, conversation ids and message timestamps only.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

import sqlalchemy as sa

# Slack gives up retrying after about an hour; a day is plenty.
EVENT_LIFETIME_S = 24 * 3600
BUTTONS_LIFETIME_S = 30 * 24 * 3600
MEMORY_EVENTS_KEPT = 10_000
# The SQL table is pruned of expired rows every this many new events.
PRUNE_EVERY = 200


class SlackRecords(Protocol):
    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen by any server, False for every retry."""

    def live_buttons(self, conversation_id: str) -> frozenset[str] | None:
        """Timestamps of the messages whose buttons are live; None when nothing is known."""

    def set_live_buttons(self, conversation_id: str, message_ts: Iterable[str]) -> None:
        """The assistant's latest reply posted these messages with buttons; older buttons are closed."""


class MemoryRecords:
    """This process's memory: for a tracker store in memory, which is not shared either."""

    def __init__(self) -> None:
        self._events: OrderedDict[str, None] = OrderedDict()
        self._buttons: dict[str, frozenset[str]] = {}

    def first_delivery(self, event_id: str) -> bool:
        if event_id in self._events:
            return False
        self._events[event_id] = None
        if len(self._events) > MEMORY_EVENTS_KEPT:
            self._events.popitem(last=False)
        return True

    def live_buttons(self, conversation_id: str) -> frozenset[str] | None:
        return self._buttons.get(conversation_id)

    def set_live_buttons(self, conversation_id: str, message_ts: Iterable[str]) -> None:
        self._buttons[conversation_id] = frozenset(message_ts)


class RedisRecords:
    """Keys with an expiry in the Redis server the lock store uses."""

    def __init__(self, client: Any, prefix: str = "slack:") -> None:
        self.client = client
        self.prefix = prefix

    def first_delivery(self, event_id: str) -> bool:
        return bool(self.client.set(f"{self.prefix}event:{event_id}", 1, nx=True, ex=EVENT_LIFETIME_S))

    def live_buttons(self, conversation_id: str) -> frozenset[str] | None:
        stored = self.client.get(f"{self.prefix}buttons:{conversation_id}")
        return None if stored is None else frozenset(json.loads(stored))

    def set_live_buttons(self, conversation_id: str, message_ts: Iterable[str]) -> None:
        value = json.dumps(sorted(message_ts))
        self.client.set(f"{self.prefix}buttons:{conversation_id}", value, ex=BUTTONS_LIFETIME_S)


class SQLRecords:
    """A table `slack_records` in the tracker store's database (the SQLite file or PostgreSQL)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        metadata = sa.MetaData()
        self.table = sa.Table(
            "slack_records",
            metadata,
            sa.Column("key", sa.String(255), primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
            sa.Column("expires", sa.Float, nullable=False, index=True),
        )
        metadata.create_all(engine, checkfirst=True)
        self._inserted = 0

    def first_delivery(self, event_id: str) -> bool:
        now = time.time()
        row = {"key": f"event:{event_id}", "value": "", "expires": now + EVENT_LIFETIME_S}
        try:
            with self.engine.begin() as connection:
                connection.execute(self.table.insert().values(**row))
        except sa.exc.IntegrityError:
            return False
        self._inserted += 1
        if self._inserted % PRUNE_EVERY == 0:
            with self.engine.begin() as connection:
                connection.execute(self.table.delete().where(self.table.c.expires < now))
        return True

    def live_buttons(self, conversation_id: str) -> frozenset[str] | None:
        query = sa.select(self.table.c.value).where(
            self.table.c.key == f"buttons:{conversation_id}", self.table.c.expires >= time.time()
        )
        with self.engine.connect() as connection:
            stored = connection.execute(query).scalar()
        return None if stored is None else frozenset(json.loads(stored))

    def set_live_buttons(self, conversation_id: str, message_ts: Iterable[str]) -> None:
        key = f"buttons:{conversation_id}"
        row = {"key": key, "value": json.dumps(sorted(message_ts)), "expires": time.time() + BUTTONS_LIFETIME_S}
        with self.engine.begin() as connection:
            connection.execute(self.table.delete().where(self.table.c.key == key))
            connection.execute(self.table.insert().values(**row))


def records_for(agent: Any) -> SlackRecords:
    """The records in the store the agent's servers share: Redis (lock store), SQL (tracker store), memory."""
    lock_store = getattr(agent, "lock_store", None)
    client = getattr(lock_store, "red", None)
    if client is not None:
        return RedisRecords(client, prefix=f"{getattr(lock_store, 'key_prefix', '')}slack:")
    tracker_store = getattr(agent, "tracker_store", None)
    # Rasa wraps the configured store in a FailSafeTrackerStore.
    tracker_store = getattr(tracker_store, "_tracker_store", tracker_store)
    engine = getattr(tracker_store, "engine", None)
    if engine is not None:
        return SQLRecords(engine)
    return MemoryRecords()
