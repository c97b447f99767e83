"""Rasa's SQL tracker store for the default SQLite file: the connection kept open, and the conversations
last used kept in memory.

1. With SQLAlchemy 1.4 an SQLite file gets no connection pool, so Rasa's store opened (and closed) a new
   connection for every read and every write, and each commit waited for a full sync to disk. Here the
   connections stay open in a small pool, and the file is in write-ahead-log mode (readers and the writer
   no longer block each other) with `synchronous=NORMAL` (a commit is durable once the log is written, the
   usual setting for WAL).
2. Rasa reads a conversation back from every stored event on each message: the rows, their JSON, and a
   replay of every event into a new tracker. In a conversation of 300 messages (some 2,800 events) that
   was most of a message's time, and it grew with every message. Here the tracker Rasa last read or wrote
   is kept and handed out again, as long as nothing changed it since: the conversation's newest row in
   the file is the one it was stored with, and the tracker has no events that were not stored. A new
   session, or a tracker changed without being stored, is read back from the file as Rasa does. Saving a
   kept tracker writes the events after those it had, without counting the stored rows first.
   Saving writes Rasa's rows in one statement instead of one ORM object per event, and reads the newest
   row id in the same transaction (1.36 -> 0.60 ms per turn of 10 events).
3. A conversation is erased when the person asks to be forgotten: when a turn ran the configured action
   (`erase_after_action`, action_forget_conversation), saving that turn deletes every stored event of the
   conversation instead, and stores nothing of the turn. Rasa's tracker stores have no way to delete.

PostgreSQL (the scale-out profile, several servers) uses the same class: Rasa's own reading, the same
writing, and erasing; the pool and the kept conversations are for the SQLite file only.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import QueuePool

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _set_sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


@dataclass
class _Kept:
    tracker: DialogueStateTracker
    # How many events the tracker had, and the conversation's newest row id, when it was last read or stored.
    events: int
    newest_row: int | None


class PooledSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that erases a conversation on request; on an SQLite file, connections kept open (WAL)
    and recent conversations kept in memory."""

    def __init__(
        self,
        *args: Any,
        kept_conversations: int = 500,
        erase_after_action: str = "action_forget_conversation",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.erase_after_action = erase_after_action
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        sqlite = self.engine.dialect.name == "sqlite"
        self._keep_at_most = kept_conversations if sqlite else 0
        if not sqlite:
            return
        url = self.engine.url
        self.engine.dispose()
        # Rasa's server uses the store from its event-loop thread; the pool may hand a connection to
        # another thread later (check_same_thread off), never to two at once.
        self.engine = sa.create_engine(
            url, poolclass=QueuePool, pool_size=2, max_overflow=2, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _set_sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _newest_row(self, sender_id: str, session: Any = None) -> int | None:
        """The id of the conversation's newest stored event, read in `session` or a session of its own."""
        if session is None:
            with self.session_scope() as own_session:
                return self._newest_row(sender_id, own_session)
        return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()

    def _keep(self, sender_id: str, tracker: DialogueStateTracker | None, newest_row: int | None) -> None:
        self._kept.pop(sender_id, None)
        if tracker is None or not self._keep_at_most:
            return
        self._kept[sender_id] = _Kept(tracker, len(tracker.events), newest_row)
        while len(self._kept) > self._keep_at_most:
            self._kept.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        kept = self._kept.get(sender_id)
        newest_row = self._newest_row(sender_id) if self._keep_at_most else None
        if kept and len(kept.tracker.events) == kept.events and kept.newest_row == newest_row:
            self._kept.move_to_end(sender_id)
            return kept.tracker
        # Read as Rasa does; newest_row was taken first, so a write in between only makes the next read
        # come from the file again.
        tracker = await super().retrieve(sender_id)
        self._keep(sender_id, tracker, newest_row)
        return tracker

    def _insert_new_events(self, tracker: DialogueStateTracker, stored: int | None) -> int | None:
        """Rasa's `SQLTrackerStore.save`: the same rows, inserted in one statement instead of one ORM object
        each; the conversation's newest row id after them, read in the same transaction. The events not
        stored yet are those after the first `stored` when this store keeps the tracker, otherwise Rasa's
        count of the stored events (which grows with the conversation) tells."""
        with self.session_scope() as session:
            new_events: Iterator = (
                itertools.islice(tracker.events, stored, None)
                if stored is not None
                else self._additional_events(session, tracker)
            )
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            newest_row = self._newest_row(tracker.sender_id, session) if self._keep_at_most else None
            session.commit()
        return newest_row

    def _asks_to_erase(self, tracker: DialogueStateTracker) -> bool:
        """Whether the latest turn (the events since the last user message) ran the erasing action."""
        for event in reversed(tracker.events):
            if isinstance(event, ActionExecuted) and event.action_name == self.erase_after_action:
                return True
            if isinstance(event, UserUttered):
                return False
        return False

    def erase(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; how many there were."""
        self._kept.pop(sender_id, None)
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return deleted

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self._asks_to_erase(tracker):
            self.erase(tracker.sender_id)
            return
        kept = self._kept.get(tracker.sender_id)
        stored = kept.events if kept and kept.tracker is tracker else None
        await self.stream_events(tracker)
        newest_row = self._insert_new_events(tracker, stored)
        if not self._keep_at_most:
            return
        # Rasa reads a conversation back from its latest session on; a tracker holding a new session's
        # start also holds the old session, so it is read from the file next time.
        new_events = itertools.islice(tracker.events, stored or 0, None)
        if stored and any(isinstance(event, SessionStarted) for event in new_events):
            self._kept.pop(tracker.sender_id, None)
            return
        self._keep(tracker.sender_id, tracker, newest_row)
