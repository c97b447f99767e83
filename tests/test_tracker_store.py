"""The default conversation store, as Rasa creates it from endpoints.yml."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from evaluation.expectations import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path) -> TrackerStore:
    """The tracker store endpoints.yml configures, with its file in a temporary folder."""
    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]
    settings["db"] = str(tmp_path / "conversations.db")
    return TrackerStore.create(EndpointConfig(**settings), DOMAIN)


def test_endpoints_yml_gives_an_sqlite_file_not_rasas_in_memory_default(store, tmp_path):
    assert isinstance(store, SQLTrackerStore)
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
