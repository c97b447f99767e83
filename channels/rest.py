"""The REST channel with its requests checked: bad ones get a 400 naming the problem, unreadable
messages a polite reply (channels/validation.py), everything else Rasa's own RestInput.

Enabled in credentials.yml as `channels.rest.CheckedRestInput`; the URL stays /webhooks/rest/webhook.
Each reply also names the response that produced it (`response`) and, for warning signs, its urgency
(`urgency`, from the response's metadata in domain.yml), so that clients mark emergencies by structure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.validation import check_message, clean_text, sender_error

logger = logging.getLogger(__name__)

EXPECTED = 'a JSON object like {"sender": "<conversation id>", "message": "<text>"}'


def request_error(request: Request) -> str | None:
    """What is wrong with a webhook request, or None."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return f"The body is not JSON; send {EXPECTED}."
    if not isinstance(body, dict):
        return f"The body is JSON but not an object; send {EXPECTED}."
    error = sender_error(body.get("sender"))
    if error:
        return f"{error}; send {EXPECTED}."
    if "message" not in body:
        return f"'message' is missing; send {EXPECTED}."
    if not isinstance(body.get("metadata") or {}, dict):
        return "'metadata' must be a JSON object."
    if not isinstance(body.get("input_channel") or "", str):
        return "'input_channel' must be a string."
    return None


def cleaned(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Hand Rasa the cleaned text; the request middleware below has already answered unreadable ones."""

    async def on_cleaned_message(message: UserMessage) -> Any:
        message.text = clean_text(message.text)
        return await on_new_message(message)

    return on_cleaned_message


def reply_marks(message: dict[str, Any]) -> dict[str, str]:
    """The response's name and urgency, as sent beside its text."""
    marks = {"response": message.get("utter_action")}
    metadata = message.get("metadata")
    if isinstance(metadata, dict):
        marks["urgency"] = metadata.get("urgency")
    return {key: value for key, value in marks.items() if isinstance(value, str)}


class MarkedCollectingOutputChannel(CollectingOutputChannel):
    """Rasa's collecting channel, with each reply marked by the response that produced it."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        start = len(self.messages)
        await super().send_response(recipient_id, message)
        for reply in self.messages[start:]:
            reply.update(reply_marks(message))


class CheckedRestInput(RestInput):
    """Rasa's REST channel behind request and message checks."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's own blueprint, but with replies collected in the marking channel (and no streaming).
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        deliver = cleaned(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.middleware("request")
        async def refuse_bad_requests(request: Request) -> HTTPResponse | None:
            # Blueprint middleware may see other channels' requests too: check only this webhook.
            if request.method != "POST" or request.path.rstrip("/") != f"/webhooks/{self.name()}/webhook":
                return None
            error = request_error(request)
            if error:
                return response.json({"error": error}, status=HTTPStatus.BAD_REQUEST)
            # Rasa's own handler cannot even build a message from a number or a list: answer here.
            verdict = check_message(request.json["message"])
            if verdict.reply is not None:
                return response.json([{"recipient_id": str(request.json["sender"]), "text": verdict.reply}])
            return None

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = MarkedCollectingOutputChannel()
            try:
                await deliver(
                    UserMessage(
                        self._extract_message(request),
                        collector,
                        await self._extract_sender(request),
                        input_channel=self._extract_input_channel(request),
                        metadata=self.get_metadata(request),
                    )
                )
            except Exception:  # as in Rasa's handler: answer with what was collected, and go on
                logger.exception("The REST channel could not handle a message.")
            return response.json(collector.messages)

        return webhook
