"""The socket.io channel (what the web widget uses), with python-socketio as the client."""

from __future__ import annotations

import queue
import uuid

import pytest
import socketio

from evaluation.expectations import DOCTOR_PROMPTS, response_texts
from knowledge.catalogue import default_catalogue
from tests.e2e.bad_inputs import BAD_TEXTS, expected_reply

TIMEOUT = 20


class ChatClient:
    """A python-socketio client speaking Rasa's socket.io protocol, collecting the bot's messages."""

    def __init__(self, url: str, session_id: str) -> None:
        self.session_id = session_id
        self.confirmed: queue.Queue = queue.Queue()
        self.messages: queue.Queue = queue.Queue()
        # Rasa's aiohttp pin needs the polling transport for the Python client.
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("session_confirm", self.confirmed.put)
        self.sio.on("bot_uttered", self.messages.put)
        self.sio.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=TIMEOUT)
        self.sio.emit("session_request", {"session_id": session_id})

    def confirmed_session(self):
        return self.confirmed.get(timeout=TIMEOUT)

    def say(self, text: str, until_doctor_prompt: bool = True) -> list[dict]:
        """Send a message; collect replies until the doctor prompt (or the first reply)."""
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        replies = [self.messages.get(timeout=TIMEOUT)]
        while until_doctor_prompt and replies[-1].get("text") not in DOCTOR_PROMPTS:
            replies.append(self.messages.get(timeout=TIMEOUT))
        return replies

    def close(self) -> None:
        self.sio.disconnect()


def test_session_message_reply_and_reconnect_with_the_same_session(stack):
    session_id = uuid.uuid4().hex
    client = ChatClient(stack.url, session_id)
    assert client.confirmed_session() in (session_id, {"session_id": session_id})

    greeting = client.say("hello", until_doctor_prompt=False)
    assert greeting[0]["text"] in response_texts("utter_greet")

    replies = client.say("my head keeps pulling to one side on its own")
    assert default_catalogue()["cervical_dystonia"].summary in replies[0]["text"]
    assert any(reply.get("quick_replies") or reply.get("buttons") for reply in replies)
    client.close()

    # A new connection with the same session id continues the same conversation.
    again = ChatClient(stack.url, session_id)
    again.confirmed_session()
    replies = again.say("tell me more")
    assert default_catalogue()["cervical_dystonia"].key_points[0] in replies[0]["text"]
    again.close()

    user_turns = [e["text"] for e in stack.tracker(session_id)["events"] if e["event"] == "user"]
    assert user_turns == ["hello", "my head keeps pulling to one side on its own", "tell me more"]


def drain(client: ChatClient, quiet: float = 1.0) -> list[dict]:
    """The rest of a reply: messages until none has come for `quiet` seconds."""
    rest = []
    while True:
        try:
            rest.append(client.messages.get(timeout=quiet))
        except queue.Empty:
            return rest


@pytest.mark.parametrize("name, text, kind", BAD_TEXTS, ids=[name for name, _, _ in BAD_TEXTS])
def test_awkward_messages_get_a_reply_and_the_session_goes_on(stack, name, text, kind):
    client = ChatClient(stack.url, uuid.uuid4().hex)
    client.confirmed_session()
    replies = client.say(text, until_doctor_prompt=False)
    replies += drain(client)
    expected = expected_reply(kind, text)
    if expected is not None:
        assert [reply["text"] for reply in replies] == [expected]
    else:
        texts = [reply.get("text", "") for reply in replies]
        assert all(fragment not in text for text in texts for fragment in ("<script", "<img", "onerror"))
    # The same connection still gets answers.
    assert client.say("hello", until_doctor_prompt=False)[0]["text"] in response_texts("utter_greet")
    client.close()


# Events a broken or hostile client could send instead of {"message", "session_id"}.
MALFORMED_EVENTS = [
    ("a string", "neck pain"),
    ("a number", 42),
    ("a list", ["neck pain"]),
    ("binary", bytes(range(256))),
    ("no session id", {"message": "neck pain"}),
    ("empty session id", {"message": "neck pain", "session_id": ""}),
    ("very long session id", {"message": "neck pain", "session_id": "x" * 10_000}),
    ("session id is an object", {"message": "neck pain", "session_id": {"id": 1}}),
    ("metadata is not JSON", {"message": "neck pain", "session_id": "s", "metadata": "{broken"}),
    ("metadata is a list", {"message": "neck pain", "session_id": "s", "metadata": [1, 2]}),
]


@pytest.mark.parametrize("name, data", MALFORMED_EVENTS, ids=[name for name, _ in MALFORMED_EVENTS])
def test_malformed_events_get_an_error_event_and_the_session_goes_on(stack, name, data):
    client = ChatClient(stack.url, uuid.uuid4().hex)
    client.confirmed_session()
    errors: queue.Queue = queue.Queue()
    client.sio.on("error", errors.put)
    client.sio.emit("user_uttered", data)
    assert errors.get(timeout=TIMEOUT)["error"]
    assert client.messages.empty()
    assert client.say("hello", until_doctor_prompt=False)[0]["text"] in response_texts("utter_greet")
    client.close()


@pytest.mark.parametrize("message", [42, b"\xff\xfe neck"], ids=["a number", "invalid UTF-8 bytes"])
def test_a_message_that_is_not_text_gets_a_polite_reply(stack, message):
    session_id = uuid.uuid4().hex
    client = ChatClient(stack.url, session_id)
    client.confirmed_session()
    client.sio.emit("user_uttered", {"message": message, "session_id": session_id})
    assert client.messages.get(timeout=TIMEOUT)["text"] == expected_reply("not_text", "")
    client.close()
