"""The default conversation store, as Rasa creates it from endpoints.yml."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components.sql_tracker_store import PooledSQLTrackerStore
from evaluation.expectations import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path) -> TrackerStore:
    """The tracker store endpoints.yml configures, with its file in a temporary folder."""
    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]
    settings["db"] = str(tmp_path / "conversations.db")
    return TrackerStore.create(EndpointConfig(**settings), DOMAIN)


def test_endpoints_yml_gives_an_sqlite_file_not_rasas_in_memory_default(store, tmp_path):
    assert isinstance(store, PooledSQLTrackerStore) and isinstance(store, SQLTrackerStore)
    assert store.engine.dialect.name == "sqlite"
    assert (tmp_path / "conversations.db").exists()


def test_a_conversation_reads_back_with_its_slots(store):
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in (
        ActionExecuted("action_listen"),
        UserUttered("I have a fever and a really stiff neck", {"name": "emergency_sign", "confidence": 1.0}),
        SlotSet("urgency", "emergency"),
        ActionExecuted("utter_emergency"),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    tracker.update(SlotSet("warning_signs", "fever with a stiff neck"))
    asyncio.run(store.save(tracker))  # only the new event is written

    stored = asyncio.run(store.retrieve("someone"))
    assert list(stored.events) == list(tracker.events)
    assert stored.get_slot("urgency") == "emergency"
    assert stored.get_slot("warning_signs") == "fever with a stiff neck"


def test_the_folder_for_the_file_is_in_every_checkout():
    db = Path(yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]["db"])
    assert (ROOT / db.parent).is_dir()
    assert (ROOT / db.parent / ".gitignore").read_text().splitlines()[1:] == ["*", "!.gitignore"]


def test_the_file_is_in_write_ahead_log_mode_and_connections_stay_open(store, tmp_path):
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    tracker.update(UserUttered("my neck hurts", {"name": "topic", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    asyncio.run(store.retrieve("someone"))
    # Read from the file by another connection, as a second process would.
    with sqlite3.connect(tmp_path / "conversations.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT count(*) FROM events WHERE sender_id = 'someone'").fetchone()[0] == 1
    assert store.engine.pool.checkedin() >= 1, "the connection went back to the pool instead of being closed"


def another_store(tmp_path) -> TrackerStore:
    """A second store on the same file, as a restarted server would open it."""
    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]
    settings["db"] = str(tmp_path / "conversations.db")
    return TrackerStore.create(EndpointConfig(**settings), DOMAIN)


def said(tracker: DialogueStateTracker) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_the_conversation_in_memory_is_the_one_in_the_file(store, tmp_path):
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    tracker.update(UserUttered("my neck hurts", {"name": "topic", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    kept = asyncio.run(store.retrieve("someone"))
    assert said(kept) == ["my neck hurts"]

    # Changed but never stored (a message whose handling failed): not handed out again.
    kept.update(UserUttered("lost", {"name": "topic", "confidence": 1.0}))
    assert said(asyncio.run(store.retrieve("someone"))) == ["my neck hurts"]

    # Written by another server process: read from the file.
    other = another_store(tmp_path)
    theirs = asyncio.run(other.retrieve("someone"))
    theirs.update(UserUttered("from elsewhere", {"name": "topic", "confidence": 1.0}))
    asyncio.run(other.save(theirs))
    assert said(asyncio.run(store.retrieve("someone"))) == ["my neck hurts", "from elsewhere"]

    # Deleted from the file: gone here too.
    with sqlite3.connect(tmp_path / "conversations.db") as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'someone'")
    assert asyncio.run(store.retrieve("someone")) is None


def stored_rows(tmp_path, sender: str) -> int:
    """How many events of `sender` the SQLite file holds, read by a connection of its own."""
    with sqlite3.connect(tmp_path / "conversations.db") as connection:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def test_a_turn_that_ran_the_forget_action_erases_the_whole_conversation(store, tmp_path):
    tracker = DialogueStateTracker("forgetful", DOMAIN.slots)
    for event in (
        UserUttered("my neck hurts since the crash", {"name": "topic", "confidence": 1.0}),
        SlotSet("urgency", "urgent"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    other = DialogueStateTracker("someone else", DOMAIN.slots)
    other.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
    asyncio.run(store.save(other))
    assert stored_rows(tmp_path, "forgetful") == 3

    loaded = asyncio.run(store.retrieve("forgetful"))
    for event in (
        UserUttered("/forget", {"name": "forget", "confidence": 1.0}),
        ActionExecuted("action_forget_conversation"),
        ActionExecuted("action_listen"),
    ):
        loaded.update(event)
    asyncio.run(store.save(loaded))

    assert stored_rows(tmp_path, "forgetful") == 0
    assert asyncio.run(store.retrieve("forgetful")) is None
    assert asyncio.run(another_store(tmp_path).retrieve("forgetful")) is None
    assert stored_rows(tmp_path, "someone else") == 1, "only that conversation is erased"


def test_a_forget_action_in_an_earlier_turn_erases_nothing_now(store, tmp_path):
    tracker = DialogueStateTracker("came back", DOMAIN.slots)
    tracker.update(ActionExecuted("action_forget_conversation"))
    tracker.update(UserUttered("hello again", {"name": "greet", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    assert stored_rows(tmp_path, "came back") == 2


def rows_in(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as database:
        rows = database.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()
    return [(*row[:5], json.loads(row[5])) for row in rows]


def test_the_rows_written_are_rasas(store, tmp_path):
    # The store inserts a turn's rows in one statement; Rasa's own store, turn by turn, writes the same rows.
    rasas = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    turns = [
        [ActionExecuted("action_listen"), UserUttered("stiff neck", {"name": "topic", "confidence": 0.9})],
        [ActionExecuted("utter_topic"), SlotSet("topics", ["neck_muscle_spasms"]), ActionExecuted("action_listen")],
        [UserUttered("/affirm", {"name": "affirm", "confidence": 1.0}), ActionExecuted("utter_see_doctor")],
    ]
    for each in (store, rasas):
        tracker = DialogueStateTracker("someone", DOMAIN.slots)
        for turn in turns:
            tracker = asyncio.run(each.retrieve("someone")) or tracker
            for event in turn:
                tracker.update(event)
            asyncio.run(each.save(tracker))
    assert rows_in(tmp_path / "conversations.db") == rows_in(tmp_path / "rasa.db")
    assert len(rows_in(tmp_path / "rasa.db")) == 7
