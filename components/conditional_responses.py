"""Responses said only when their condition holds, with no error when it does not.

`utter_remind_emergency` starts every reply and says the emergency message again while an emergency is
open; every one of its variations carries a condition, so otherwise it says nothing. Rasa 3.6 does exactly
that, but logs an error ("Couldn't create message for response") each time. Here a response whose every
variation is conditional fails silently, as Rasa's own optional responses (`utter_back`,
`utter_default`) do; any other response keeps Rasa's error.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionBotResponse

_rasa_run = ActionBotResponse.run


def only_conditional(variations: list[dict[str, Any]] | None) -> bool:
    return bool(variations) and all(variation.get("condition") for variation in variations)


async def run_quietly_when_no_condition_holds(
    self: ActionBotResponse, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list:
    """`ActionBotResponse.run`, silent when a response of conditional variations has none that holds."""
    if not self.silent_fail and only_conditional(domain.responses.get(self.utter_action)):
        self.silent_fail = True
    return await _rasa_run(self, output_channel, nlg, tracker, domain)


def install() -> None:
    ActionBotResponse.run = run_quietly_when_no_condition_holds
