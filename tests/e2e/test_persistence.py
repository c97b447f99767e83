"""Conversations survive restarts (SQLite, the default) and spread over two servers (PostgreSQL + Redis).

The assistant's side of a conversation is compared turn by turn: the actions it ran and the responses
it chose (response variations make the exact wording random, the choice is not).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psycopg2
import pytest
import requests

from evaluation import services
from evaluation.expectations import CONVERSATION, DOCTOR_PROMPTS
from evaluation.servers import RasaStack
from tests.e2e.slack_stand_in import BOT_TOKEN, SIGNING_SECRET, SlackWebApi, message_event, signed_headers

# The warning-sign check is half-way (three of its questions answered) after these messages.
MID_CHECK = 5


def new_sender() -> str:
    return f"persistence-{uuid.uuid4().hex}"


def assistant_turns(events: list[dict]) -> list[list[str]]:
    """For each user message: the actions the assistant ran and the responses it sent, in order."""
    turns: list[list[str]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif turns and event["event"] == "action":
            turns[-1].append(event["name"])
        elif turns and event["event"] == "bot":
            turns[-1].append("bot:" + ((event.get("metadata") or {}).get("utter_action") or event.get("text") or ""))
    return turns


def user_texts(events: list[dict]) -> list[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def assert_complete_turns(events: list[dict], sent: list[str]) -> None:
    """Every message sent is stored once, in order, each followed by a whole reply before the next one."""
    assert user_texts(events) == sent
    serialised = [json.dumps(event, sort_keys=True) for event in events]
    assert len(set(serialised)) == len(serialised), "an event is stored twice"
    turns = [[]]
    for event in events:
        if event["event"] == "user":
            assert turns[-1][-1:] == ["action_listen"], "a message arrived before the previous reply ended"
            turns.append([])
        if event["event"] == "action":
            turns[-1].append(event["name"])
    assert turns[-1][-1:] == ["action_listen"]


@pytest.fixture(scope="module")
def slack_api():
    api = SlackWebApi()
    yield api
    api.close()


def slack_env(api: SlackWebApi) -> dict:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": api.url}


def slack_event(text: str) -> tuple[str, bytes]:
    """A direct message event as Slack sends it (and sends it again when it retries): channel, body."""
    channel = f"D{uuid.uuid4().hex[:8].upper()}"
    return channel, json.dumps(message_event(text, channel, "U5")).encode()


def deliver(url: str, body: bytes, retry: int = 0) -> requests.Response:
    headers = signed_headers(body, "application/json")
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
    return requests.post(f"{url}/webhooks/slack/webhook", data=body, headers=headers, timeout=10)


def doctor_prompts_posted(api: SlackWebApi, channel: str, at_least: int = 1) -> int:
    """How many doctor prompts were posted to `channel`, waiting for `at_least`, then a little longer."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(p.get("text") in DOCTOR_PROMPTS for p in api.posts(channel)) < at_least:
        time.sleep(0.2)
    time.sleep(2)
    return sum(post.get("text") in DOCTOR_PROMPTS for post in api.posts(channel))


@pytest.fixture(scope="module")
def sqlite_stack(tmp_path_factory, slack_api) -> RasaStack:
    """A server with the project's own endpoints.yml: conversations in an SQLite file; Slack on, talking to
    a stand-in for its Web API."""
    stack = RasaStack(tmp_path_factory.mktemp("sqlite-stack"), extra_env=slack_env(slack_api))
    try:
        yield stack.start()
    finally:
        stack.stop()


def test_a_restarted_server_continues_the_conversation_where_it_was(sqlite_stack, slack_api):
    reference, resumed = new_sender(), new_sender()
    slack_channel, slack_body = slack_event("what is an emg")
    assert deliver(sqlite_stack.url, slack_body).ok
    assert doctor_prompts_posted(slack_api, slack_channel) == 1
    for text in CONVERSATION:
        sqlite_stack.send(reference, text)
    for text in CONVERSATION[:MID_CHECK]:
        sqlite_stack.send(resumed, text)
    before = sqlite_stack.tracker(resumed)
    assert before["active_loop"].get("name") == "triage_form"

    sqlite_stack.stop_rasa()
    sqlite_stack.start_rasa()
    sqlite_stack.wait_for_rasa()

    # Slack's retry of an event answered before the restart is not answered again.
    retry = deliver(sqlite_stack.url, slack_body, retry=1)
    assert retry.ok and retry.headers.get("X-Slack-No-Retry") == "1"
    assert doctor_prompts_posted(slack_api, slack_channel) == 1

    after = sqlite_stack.tracker(resumed)
    assert after["events"] == before["events"]
    assert after["slots"] == before["slots"]
    assert after["active_loop"] == before["active_loop"]
    for text in CONVERSATION[MID_CHECK:]:
        sqlite_stack.send(resumed, text)
    finished, expected = sqlite_stack.tracker(resumed), sqlite_stack.tracker(reference)
    assert assistant_turns(finished["events"]) == assistant_turns(expected["events"])
    assert finished["slots"] == expected["slots"]


def test_conversations_are_in_the_sqlite_file(sqlite_stack):
    sender = new_sender()
    sqlite_stack.send(sender, "is botox safe for my neck?")
    events = sqlite_stack.tracker(sender)["events"]
    with sqlite3.connect(sqlite_stack.workdir / "conversations.db") as database:
        stored = [
            json.loads(data)
            for (data,) in database.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        ]
    assert stored == events


@dataclass
class ScaleOut:
    stack: RasaStack
    postgres: services.Postgres
    balancer_url: str
    workdir: Path

    def stored_events(self, sender: str) -> list[dict]:
        """The conversation as PostgreSQL holds it, in the order the events were written."""
        with (
            psycopg2.connect(
                host=self.postgres.host, port=self.postgres.port, user=self.postgres.user, dbname=self.postgres.db
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            return [json.loads(data) for (data,) in cursor.fetchall()]


@pytest.fixture(scope="module")
def scale_out(tmp_path_factory, slack_api) -> ScaleOut:
    """endpoints.scale-out.yml as shipped: two Rasa servers, PostgreSQL, Redis, nginx in front; Slack on,
    talking to a stand-in for its Web API."""
    workdir = tmp_path_factory.mktemp("scale-out")
    slack = slack_env(slack_api)
    with services.postgres() as postgres, services.redis_server(workdir) as redis_port:
        stack = services.scale_out_stack(workdir, postgres, redis_port, rasa_servers=2, extra_env=slack)
        try:
            stack.start()
            with services.nginx(workdir, stack.rasa_ports) as balancer_url:
                yield ScaleOut(stack, postgres, balancer_url, workdir)
        finally:
            stack.stop()


@pytest.fixture(scope="module")
def one_server_reference(scale_out) -> list[list[str]]:
    """What the assistant does in CONVERSATION when one server handles all of it."""
    sender = new_sender()
    for text in CONVERSATION:
        scale_out.stack.send(sender, text, server=0)
    return assistant_turns(scale_out.stored_events(sender))


def test_alternating_servers_answer_as_one_server_does(scale_out, one_server_reference):
    sender = new_sender()
    for turn, text in enumerate(CONVERSATION):
        scale_out.stack.send(sender, text, server=turn % 2)
    events = scale_out.stored_events(sender)
    assert assistant_turns(events) == one_server_reference
    assert_complete_turns(events, CONVERSATION)
    assert scale_out.stack.tracker(sender, server=0) == scale_out.stack.tracker(sender, server=1)


def test_forgetting_erases_the_conversation_from_postgresql_for_both_servers(scale_out):
    sender = new_sender()
    scale_out.stack.send(sender, "is botox safe for my neck?", server=0)
    scale_out.stack.send(sender, "forget me", server=1)
    assert scale_out.stored_events(sender)
    replies = scale_out.stack.send(sender, "/forget", server=0)
    assert [reply.get("response") for reply in replies] == ["utter_conversation_forgotten"]
    assert scale_out.stored_events(sender) == []
    for server in (0, 1):
        events = scale_out.stack.tracker(sender, server=server)["events"]
        assert not [event for event in events if event["event"] in ("user", "bot")]


def test_a_conversation_survives_losing_a_server(scale_out, one_server_reference):
    sender = new_sender()
    for text in CONVERSATION[:MID_CHECK]:
        scale_out.stack.send(sender, text, server=1)
    scale_out.stack.stop_rasa(1)
    try:
        for text in CONVERSATION[MID_CHECK:]:
            scale_out.stack.send(sender, text, server=0)
    finally:
        scale_out.stack.start_rasa(1)
        scale_out.stack.wait_for_rasa(1)
    events = scale_out.stored_events(sender)
    assert assistant_turns(events) == one_server_reference
    assert_complete_turns(events, CONVERSATION)


async def converse(session: aiohttp.ClientSession, url: str, sender: str, messages: list[str]) -> None:
    for text in messages:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as reply:
            assert reply.status == 200, await reply.text()
            assert await reply.json(), f"no reply to {text!r}"


async def many_conversations(url: str, senders: list[str], messages: list[str]) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        await asyncio.gather(*(converse(session, url, sender, messages) for sender in senders))


def test_fifty_conversations_at_once_through_the_load_balancer(scale_out, one_server_reference):
    messages = CONVERSATION[:8]
    senders = [new_sender() for _ in range(50)]
    asyncio.run(many_conversations(scale_out.balancer_url, senders, messages))
    for sender in senders:
        events = scale_out.stored_events(sender)
        assert_complete_turns(events, messages)
        assert assistant_turns(events) == one_server_reference[: len(messages)]
    # nginx spread the load over both servers.
    assert {f"127.0.0.1:{port}" for port in scale_out.stack.rasa_ports} <= services.upstreams_used(scale_out.workdir)


async def both_servers_at_once(urls: list[str], sender: str, texts: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(converse(session, url, sender, [text]) for url, text in zip(urls, texts, strict=True)))


def test_two_servers_never_work_on_one_conversation_at_once(scale_out):
    """Two messages of one conversation reach both servers at the same moment: Redis's lock makes one wait."""
    texts = ["what is emg", "is botox safe for my neck?"]
    for _ in range(10):
        sender = new_sender()
        asyncio.run(both_servers_at_once(scale_out.stack.urls, sender, texts))
        events = scale_out.stored_events(sender)
        assert sorted(user_texts(events)) == sorted(texts)
        assert_complete_turns(events, user_texts(events))


def test_a_slack_retry_delivered_to_the_other_server_gets_no_second_reply(scale_out, slack_api):
    # Slack retries an event it thinks was lost; behind a load balancer the retry can reach the other
    # server, which learns from Redis that the event was answered.
    channel, body = slack_event("what is an emg")
    assert deliver(scale_out.stack.urls[0], body).ok
    retry = deliver(scale_out.stack.urls[1], body, retry=1)
    assert retry.ok and retry.headers.get("X-Slack-No-Retry") == "1"
    assert doctor_prompts_posted(slack_api, channel) == 1
