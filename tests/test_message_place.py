"""The place a message was written in (from the channel's metadata) reaches the dialogue as the entity
`place`, for typed text and for button payloads alike."""

from __future__ import annotations

import pytest
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.message_place import MessagePlace, with_place
from evaluation.expectations import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def parsed(text: str, metadata: dict | None, domain: Domain) -> Message:
    """The message after MessagePlace and Rasa's payload parsing, which runs after every component."""
    message = Message(data={TEXT: text, METADATA: metadata})
    [message] = MessagePlace({}).process([message])
    [message] = RegexMessageHandler().process([message], domain)
    return message


def places(message: Message) -> list[str]:
    return [entity["value"] for entity in message.get(ENTITIES) or [] if entity["entity"] == "place"]


@pytest.mark.parametrize(
    "text",
    ["is botox safe for my neck", "/start_triage", '/choose_topic{"topic": "emg"}', "/continue_privately"],
)
@pytest.mark.parametrize("place", ["direct", "shared"])
def test_the_place_is_an_entity_of_typed_text_and_of_payloads(text, place, domain):
    message = parsed(text, {"place": place, "out_channel": "C1"}, domain)
    assert places(message) == [place]
    if "topic" in text:  # the payload's own entities are kept
        assert ("topic", "emg") in {(entity["entity"], entity["value"]) for entity in message.get(ENTITIES)}


@pytest.mark.parametrize("metadata", [None, {}, {"place": "the moon"}, {"out_channel": "D1"}])
def test_without_a_known_place_nothing_is_added(metadata, domain):
    assert places(parsed("/start_triage", metadata, domain)) == []
    assert places(parsed("my neck hurts", metadata, domain)) == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("/start_triage", '/start_triage{"place": "shared"}'),
        ('/choose_topic{"topic": "emg"}', '/choose_topic{"topic": "emg", "place": "shared"}'),
        ('/start_triage{"place": "direct"}', '/start_triage{"place": "shared"}'),
        ("/start_triage{not json", "/start_triage{not json"),
    ],
)
def test_the_channels_place_is_written_into_the_payload(payload, expected):
    assert with_place(payload, "shared") == expected
