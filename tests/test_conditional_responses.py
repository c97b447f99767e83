"""The reminder of an open emergency (`utter_remind_emergency`, generated from `utter_emergency`) said by
the Rasa server itself, with Rasa's own response action and generator (components/conditional_responses.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from rasa.core.actions.action import ActionBotResponse
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from components import conditional_responses, rasa_patches
from evaluation.expectations import ROOT
from knowledge.urgency import Urgency, of_reply

DOMAIN = Domain.load([str(ROOT / "domain.yml"), str(ROOT / "build" / "rasa" / "responses.yml")])
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)


@pytest.fixture(scope="module", autouse=True)
def patched():
    rasa_patches.install()


def said(response: str, **slots) -> list:
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    events = asyncio.run(ActionBotResponse(response).run(CollectingOutputChannel(), NLG, tracker, DOMAIN))
    return [event for event in events if isinstance(event, BotUttered)]


def test_the_reminder_is_the_emergency_message_while_an_emergency_is_open():
    (reminder,) = said("utter_remind_emergency", urgency="emergency", warning_signs="a stiff neck with fever")
    (emergency,) = said("utter_emergency", urgency="emergency", warning_signs="a stiff neck with fever")
    assert reminder.text == emergency.text and "a stiff neck with fever" in reminder.text
    assert of_reply(reminder.metadata) is Urgency.EMERGENCY, "channels mark it as an emergency"


def test_crisis_support_is_reminded_as_crisis_support():
    (reminder,) = said("utter_remind_emergency", urgency="emergency", crisis=True, warning_signs="x")
    (crisis,) = said("utter_emergency", urgency="emergency", crisis=True, warning_signs="x")
    assert reminder.text == crisis.text
    assert reminder.text != said("utter_emergency", urgency="emergency", warning_signs="x")[0].text


@pytest.mark.parametrize("urgency", ["urgent", "routine"])
def test_no_reminder_and_no_error_without_an_open_emergency(urgency, caplog):
    with caplog.at_level(logging.ERROR):
        assert said("utter_remind_emergency", urgency=urgency) == []
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_other_responses_keep_rasas_behaviour(caplog):
    assert len(said("utter_greet")) == 1
    # A response with a conditional variation and an unconditional one always says something.
    assert len(said("utter_emergency", urgency="routine", warning_signs="x")) == 1
    assert not conditional_responses.only_conditional(DOMAIN.responses["utter_emergency"])
    assert conditional_responses.only_conditional(DOMAIN.responses["utter_remind_emergency"])
