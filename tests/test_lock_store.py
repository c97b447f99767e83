"""The scale-out lock store (components/lock_store.py) against a real Redis server."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from components.lock_store import AtomicRedisLockStore
from evaluation.services import redis_server


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory) -> int:
    with redis_server(tmp_path_factory.mktemp("redis")) as port:
        yield port


def store(port: int) -> AtomicRedisLockStore:
    """A store as one Rasa server creates it from endpoints.scale-out.yml (its own connection)."""
    config = EndpointConfig(url="127.0.0.1", type="components.lock_store.AtomicRedisLockStore")
    config.kwargs.update(port=str(port), db="0", password="", key_prefix="neckpain")
    return AtomicRedisLockStore(endpoint_config=config)


def test_configured_like_rasas_redis_lock_store(redis_port):
    lock_store = store(redis_port)
    assert lock_store.key_prefix == "neckpain:lock:"
    assert lock_store.red.ping()


def test_servers_issuing_tickets_at_once_never_get_the_same_one(redis_port):
    conversation = uuid.uuid4().hex
    servers = [store(redis_port) for _ in range(4)]
    issued: list[int] = []

    def issue_many(lock_store: AtomicRedisLockStore) -> None:
        for _ in range(50):
            issued.append(lock_store.issue_ticket(conversation))

    threads = [threading.Thread(target=issue_many, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(200))
    assert len(servers[0].get_lock(conversation).tickets) == 200


def test_the_lock_stays_while_a_ticket_waits_and_goes_with_the_last_one(redis_port):
    conversation = uuid.uuid4().hex
    first, second = store(redis_port), store(redis_port)
    ticket_1, ticket_2 = first.issue_ticket(conversation), second.issue_ticket(conversation)
    assert not first.get_lock(conversation).is_locked(ticket_1)
    assert second.get_lock(conversation).is_locked(ticket_2)
    first.cleanup(conversation, ticket_1)
    assert not second.get_lock(conversation).is_locked(ticket_2)
    second.cleanup(conversation, ticket_2)
    assert first.get_lock(conversation) is None


def test_expired_tickets_are_removed(redis_port):
    conversation = uuid.uuid4().hex
    lock_store = store(redis_port)
    lock_store.issue_ticket(conversation, lock_lifetime=-1)
    waiting = lock_store.issue_ticket(conversation)
    lock_store.update_lock(conversation)
    assert [ticket.number for ticket in lock_store.get_lock(conversation).tickets] == [waiting]


def test_only_one_server_at_a_time_holds_a_conversation(redis_port):
    conversation = uuid.uuid4().hex
    servers = [store(redis_port) for _ in range(3)]
    holding: list[int] = []
    most_at_once = 0

    async def handle_message(server: AtomicRedisLockStore, number: int) -> None:
        nonlocal most_at_once
        async with server.lock(conversation, wait_time_in_seconds=0.01):
            holding.append(number)
            most_at_once = max(most_at_once, len(holding))
            await asyncio.sleep(0.005)
            holding.remove(number)

    async def main() -> None:
        await asyncio.gather(*(handle_message(servers[n % 3], n) for n in range(30)))

    asyncio.run(main())
    assert most_at_once == 1
    assert servers[0].get_lock(conversation) is None


def test_an_unreachable_redis_is_a_lock_error():
    config = EndpointConfig(url="127.0.0.1", type="components.lock_store.AtomicRedisLockStore")
    config.kwargs.update(port="1", socket_timeout=1)
    with pytest.raises(LockError, match="Error while acquiring lock"):
        AtomicRedisLockStore(endpoint_config=config).issue_ticket("anyone")
