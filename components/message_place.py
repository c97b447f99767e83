"""Rasa NLU component: the place a message was written in (direct or shared, from the metadata the channel
sent) becomes the entity `place`, which fills the slot `place` that the dialogue's rules read.

A payload ("/start_triage" from a button) is parsed by Rasa's RegexMessageHandler after every component
and its entities replace those found before, so for a payload the place is added to the payload's own
entities instead. Channels that know no places (REST, web, console) send none, and nothing changes.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.component_bases import ConfiguredComponent
from knowledge.places import PLACE, of_metadata

EXTRACTOR = "MessagePlace"


def with_place(payload: str, place: str) -> str:
    """The payload "/intent" or "/intent{...}" with the place among its entities; any other text as it is."""
    intent, brace, entities = payload.partition("{")
    if not brace:
        return f"{payload}{json.dumps({PLACE: place})}"
    try:
        values = json.loads(brace + entities)
    except ValueError:
        return payload
    if not isinstance(values, dict):
        return payload
    return intent + json.dumps({**values, PLACE: place})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class MessagePlace(ConfiguredComponent):
    """Tags the place a message was written in, from the channel's metadata."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            place = of_metadata(message.get(METADATA))
            if place is None:
                continue
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                message.set(TEXT, with_place(text, place.value))
                continue
            entity = {"entity": PLACE, "value": place.value, "start": 0, "end": 0, "extractor": EXTRACTOR}
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
