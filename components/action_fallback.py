"""When the action server is down, slow or broken, the assistant apologises instead of going silent.

Rasa runs every custom action over HTTP. If the action server cannot be reached, answers with an error
or takes longer than the timeout, Rasa logs the error and drops the action, so a turn made of custom
actions gets no reply at all (and Rasa waits up to 5 minutes for a slow server). Here such a failure
answers, once per turn, with a short apology, the emergency message while an emergency is open (unless
this turn already said it), and the doctor prompt. The conversation goes on: when the action
server is back, the next message is handled normally. A rejection by the action server (a form
validation saying "no") is not a failure and keeps Rasa's handling.

The timeout is `timeout` (seconds) under `action_endpoint` in the endpoints file, 10 s by default.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import BotUttered, Event, UserUttered

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
APOLOGY = "utter_actions_unavailable"

_rasa_run = RemoteAction.run


def timeout_seconds(action: RemoteAction) -> float:
    configured = (action.action_endpoint.kwargs if action.action_endpoint else {}).get("timeout")
    return float(configured) if configured else DEFAULT_TIMEOUT_SECONDS


# The responses that say the emergency message.
EMERGENCY_RESPONSES = ("utter_emergency", "utter_remind_emergency")


def said_this_turn(tracker: Any, responses: tuple[str, ...]) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") in responses:
            return True
    return False


def apologised_this_turn(tracker: Any) -> bool:
    return said_this_turn(tracker, (APOLOGY,))


async def apology(nlg: Any, tracker: Any, output_channel: Any) -> list[Event]:
    """The apology, the emergency message while one is open, and the doctor prompt, as bot events."""
    open_emergency = tracker.get_slot("urgency") == "emergency"
    responses = ["utter_emergency"] if open_emergency and not said_this_turn(tracker, EMERGENCY_RESPONSES) else []
    responses += [APOLOGY, "utter_see_doctor"]
    events: list[Event] = []
    for response in responses:
        generated = await nlg.generate(response, tracker, output_channel.name())
        events.append(create_bot_utterance({**(generated or {}), "utter_action": response}))
    return events


async def run_or_apologise(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Event]:
    """`RemoteAction.run` with a timeout; on failure the apology instead of nothing."""
    try:
        return await asyncio.wait_for(_rasa_run(self, output_channel, nlg, tracker, domain), timeout_seconds(self))
    except ActionExecutionRejection:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of the action server, as Rasa's processor treats it
        reason = "timed out" if isinstance(error, asyncio.TimeoutError) else type(error).__name__
        logger.error("Custom action '%s' failed (%s); the assistant apologises instead.", self.name(), reason)
        if apologised_this_turn(tracker):
            return []
        return await apology(nlg, tracker, output_channel)


def install() -> None:
    RemoteAction.run = run_or_apologise
