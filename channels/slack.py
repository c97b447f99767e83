"""Slack channel: Rasa's SlackInput with secrets from the environment, deduplicated retries, loop
protection, replies in the user's thread, Block Kit buttons and a prominent emergency message.

A direct message and each channel are separate conversations for the same person (Rasa's
`conversation_granularity`, here `channel` by default, so that nothing said in a direct message is
continued in a channel); `slack_channel`, `conversation_granularity` and `proxy` are read from
credentials.yml as in Rasa's channel. In a channel others read, the assistant answers in a thread under
the message and tells the dialogue so (metadata `place`): the warning-sign questions move to a direct
message, which this channel opens when the person clicks "Continue in a direct message". A message with
files gets its text answered and a note that files are not read; a thread reply also sent to the channel
is answered like any message in the thread. A clicked button's message is updated to show the choice
instead of its buttons; a button of an earlier reply gets "that question is closed". Retries and live
buttons are recorded in the store the servers share (channels/slack_records.py).

Enabled in credentials.yml as `channels.slack.SlackChannel`; Slack posts to /webhooks/slack/webhook.
Without SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET the server still starts and the webhook answers 503.
SLACK_API_URL points the Web API client elsewhere (tests use a local stand-in); it defaults to Slack's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from channels.slack_records import SlackRecords, records_for
from channels.validation import check_message, sender_error
from knowledge.places import CONTINUE_PRIVATELY_INTENT, PLACE, Place
from knowledge.responses import VISIT_SUMMARY, response_text
from knowledge.urgency import Urgency, of_reply

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
EMERGENCY_HEADER = "🚨 Possible emergency"
MAX_BUTTONS_PER_BLOCK = 25  # Slack's limit for one actions block
MAX_SECTION_TEXT = 3000  # Slack's limit for a section's text
MAX_HEADER_TEXT = 150

# The payload a click on "Continue in a direct message" starts there.
START_CHECK_PAYLOAD = "/start_triage"
# Message subtypes that are a person writing (Slack marks edits, joins and bots' messages by subtype too).
ANSWERED_SUBTYPES = frozenset({"file_share", "thread_broadcast"})
# Private by default: a direct message and each channel are separate conversations.
DEFAULT_GRANULARITY = "channel"


def place_of(channel_id: str | None, channel_type: str | None = None) -> Place:
    """A direct message (channel type `im`, ids starting with D) or a channel others read."""
    if channel_type == "im" or (channel_type is None and (channel_id or "").startswith("D")):
        return Place.DIRECT
    return Place.SHARED


def payload_intent(text: Any) -> str | None:
    """The intent of a button payload such as "/continue_privately"; None for typed text."""
    if not isinstance(text, str) or not text.startswith("/"):
        return None
    return text[1:].split("{", 1)[0].split("@", 1)[0].strip()


def interaction_error(payload: Any) -> str | None:
    """What is wrong with an interaction payload's shape (the parts the channel reads), or None."""
    if not isinstance(payload, dict):
        return "'payload' must be a JSON object."
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return "'actions' must be a list of objects."
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "'user' must be an object with an 'id'."
    for part in ("channel", "message", "container"):
        if payload.get(part) is not None and not isinstance(payload[part], dict):
            return f"'{part}' must be an object."
    return None


def summary_blocks(text: str) -> list[dict[str, Any]]:
    """Block Kit for the visit summary: its first line as the header, then a section per paragraph."""
    title, _, body = text.strip().partition("\n")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title.strip()[:MAX_HEADER_TEXT]}}
    ]
    for paragraph in body.split("\n\n"):
        if paragraph.strip():
            section = {"type": "mrkdwn", "text": paragraph.strip()[:MAX_SECTION_TEXT]}
            blocks.append({"type": "section", "text": section})
    return blocks


class SlackOutput(SlackBot):
    """Posts replies with Block Kit: buttons as an actions block, the emergency message with a header."""

    def __init__(
        self, token: str, channel: str | None, thread_id: str | None, api_url: str, proxy: str | None = None
    ) -> None:
        super().__init__(token, channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)
        # In a channel others read: the person whose visit summary is shown to them alone.
        self.private_to: str | None = None
        # Timestamps of the messages with buttons posted through this output (one reply of the assistant).
        self.button_messages: list[str] = []

    async def _post_message(self, channel: str, **kwargs: Any) -> str | None:
        """Post in the thread when there is one; the posted message's timestamp."""
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        posted = await self.client.chat_postMessage(channel=channel, **kwargs)
        return posted.get("ts")

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """An emergency reply (marked in its response's metadata) gets a header, the visit summary sections;
        everything else Rasa's way."""
        # The visit summary is posted as one message: its title as a header, each part a section. In a channel
        # others read it is the person's health account, so only they see it (an ephemeral message).
        if message.get("utter_action") == VISIT_SUMMARY and message.get("text"):
            summary = {"text": message["text"], "blocks": summary_blocks(message["text"])}
            if self.private_to:
                thread = {"thread_ts": self.thread_id} if self.thread_id else {}
                channel = self.slack_channel or recipient_id
                await self.client.chat_postEphemeral(channel=channel, user=self.private_to, **summary, **thread)
            else:
                await self._post_message(channel=self.slack_channel or recipient_id, **summary)
            return
        if of_reply(message) is Urgency.EMERGENCY and message.get("text") and not message.get("buttons"):
            text = message["text"]
            blocks = [
                {"type": "header", "text": {"type": "plain_text", "text": f"{EMERGENCY_HEADER}"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{text}*"}},
            ]
            await self._post_message(channel=self.slack_channel or recipient_id, text=text, blocks=blocks)
            return
        await super().send_response(recipient_id, message)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        elements = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": button["title"][:75]},
                "value": button["payload"],
                "action_id": f"choice_{index}",
            }
            for index, button in enumerate(buttons)
        ]
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        for start in range(0, len(elements), MAX_BUTTONS_PER_BLOCK):
            blocks.append({"type": "actions", "elements": elements[start : start + MAX_BUTTONS_PER_BLOCK]})
        ts = await self._post_message(channel=self.slack_channel or recipient_id, text=text, blocks=blocks)
        if ts:
            self.button_messages.append(ts)


class SlackChannel(SlackInput):
    """Rasa's Slack input, configured from the environment and hardened against retries and loops."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        token = os.environ.get(credentials.get("token_env", "SLACK_BOT_TOKEN"), "")
        secret = os.environ.get(credentials.get("signing_secret_env", "SLACK_SIGNING_SECRET"), "")
        api_url = os.environ.get(credentials.get("api_url_env", "SLACK_API_URL"), "") or DEFAULT_API_URL
        if not token or not secret:
            logger.info("Slack is not configured (no bot token or signing secret); its webhook answers 503.")
        return cls(
            token,
            secret,
            api_url,
            slack_channel=credentials.get("slack_channel"),
            conversation_granularity=credentials.get("conversation_granularity") or DEFAULT_GRANULARITY,
            proxy=credentials.get("proxy"),
        )

    def __init__(
        self,
        token: str,
        signing_secret: str,
        api_url: str = DEFAULT_API_URL,
        slack_channel: str | None = None,
        conversation_granularity: str = DEFAULT_GRANULARITY,
        proxy: str | None = None,
    ) -> None:
        self.enabled = bool(token and signing_secret)
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._records: SlackRecords | None = None
        # Replies go to the user's thread when they write in one (see get_metadata).
        super().__init__(
            token,
            slack_channel=slack_channel,
            proxy=proxy,
            use_threads=True,
            slack_signing_secret=signing_secret,
            conversation_granularity=conversation_granularity,
        )

    def _validate_credentials(self) -> None:
        """Missing credentials disable the channel instead of stopping the server."""

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.api_url, self.proxy)

    def get_metadata(self, request: Request) -> dict[str, Any]:
        """Rasa's metadata and the place; a reply is threaded in a channel others read (under the message)
        and in a direct message only when the person wrote in a thread."""
        content_type = request.headers.get("content-type")
        if content_type not in ("application/json", "application/x-www-form-urlencoded"):
            return {}  # as Rasa's channel: neither an event nor an interaction
        metadata = super().get_metadata(request)
        if content_type == "application/json":
            event = request.json.get("event") or {}
            place = place_of(event.get("channel"), event.get("channel_type"))
            message = event
        else:
            payload = json.loads(request.form["payload"][0])
            place = place_of((payload.get("channel") or {}).get("id"))
            message = payload.get("message") or {}
        thread = message.get("thread_ts")
        metadata["thread_id"] = (thread or message.get("ts")) if place is Place.SHARED else thread
        metadata[PLACE] = place.value
        return metadata

    def _output_for(self, metadata: dict[str, Any]) -> SlackOutput:
        """The output channel that answers where the message in `metadata` was written."""
        return self.get_output_channel(metadata.get("out_channel"), metadata.get("thread_id"))

    def records(self, request: Request) -> SlackRecords:
        """Retries and live buttons, in the store the servers share (found once, from Rasa's agent)."""
        if self._records is None:
            self._records = records_for(getattr(request.app.ctx, "agent", None))
        return self._records

    @staticmethod
    def _is_from_a_bot(body: dict[str, Any]) -> bool:
        """Bots, including this one, and edits or other subtypes never trigger a reply; files and thread
        replies sent to the channel too are a person writing."""
        event = body.get("event") or {}
        own_users = {a.get("user_id") for a in body.get("authorizations") or [] if a.get("is_bot")}
        subtype = event.get("subtype")
        return bool(
            event.get("bot_id")
            or event.get("bot_profile")
            or (subtype and subtype not in ANSWERED_SUBTYPES)
            or event.get("user") in own_users
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "not configured"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json(
                    {"error": "Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET."},
                    status=HTTPStatus.SERVICE_UNAVAILABLE,
                )
            if not self.is_request_from_slack_authentic(request):
                return response.json({"error": "Invalid or missing Slack signature."}, status=HTTPStatus.UNAUTHORIZED)
            content_type = request.headers.get("content-type")
            if content_type == "application/json":
                return await self._handle_event(request, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._handle_interaction(request, on_new_message)
            return response.json({"error": "Unsupported content type."}, status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)

        return slack_webhook

    async def _handle_event(self, request: Request, on_new_message: Callable) -> HTTPResponse:
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return response.json({"error": "The body is not a JSON object."}, status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge", "")})
        event_id = body.get("event_id")
        if isinstance(event_id, str) and event_id and not self.records(request).first_delivery(event_id):
            return response.text("Already answered.", headers={"X-Slack-No-Retry": "1"})
        event = body.get("event") or {}
        if not isinstance(event, dict):
            return response.json({"error": "'event' must be a JSON object."}, status=HTTPStatus.BAD_REQUEST)
        with_files = event.get("subtype") == "file_share" or bool(event.get("files"))
        if self._is_from_a_bot(body) or not (self._is_user_message(body) or with_files):
            return response.text("Not a user message; ignored.")
        metadata = self.get_metadata(request)
        if not self._is_supported_channel(body, metadata):
            return response.text("Channel not supported.")
        sender_id = self._get_conversation_id(
            event.get("user", ""), metadata.get("out_channel"), metadata.get("thread_id")
        )
        text = event.get("text", "")
        if isinstance(text, str):
            text = self._sanitize_user_message(text, metadata["users"])
        note = response_text("utter_files_not_read") if with_files else None
        if note and not (isinstance(text, str) and text.strip()):
            output = self._output_for(metadata)
            self._in_background(output.send_text_message(sender_id, note))
            return response.text("")
        return await self._answer(request, on_new_message, text, sender_id, metadata, note, person=event.get("user"))

    async def _handle_interaction(self, request: Request, on_new_message: Callable) -> HTTPResponse:
        try:
            payload = json.loads(request.form["payload"][0])
        except (KeyError, IndexError, ValueError):
            return response.json({"error": "Missing or malformed 'payload'."}, status=HTTPStatus.BAD_REQUEST)
        error = interaction_error(payload)
        if error:
            return response.json({"error": error}, status=HTTPStatus.BAD_REQUEST)
        if not self._is_interactive_message(payload):
            return response.text("Interaction not supported.")
        text = self._get_interactive_response(payload["actions"][0])
        if text is None:
            return response.text("Nothing to answer.")
        metadata = self.get_metadata(request)
        person = payload["user"]["id"]
        sender_id = self._get_conversation_id(person, metadata.get("out_channel"), metadata.get("thread_id"))
        error = sender_error(sender_id)
        if error:
            return response.json({"error": error}, status=HTTPStatus.BAD_REQUEST)
        clicked = (payload.get("message") or {}).get("ts")
        records = self.records(request)
        live = records.live_buttons(sender_id)
        if live is not None and clicked not in live:
            # A button of an earlier reply (or clicked twice): answering it would answer a question that is
            # no longer asked.
            closed = response_text("utter_question_closed")
            output = self._output_for(metadata)
            self._in_background(output.send_text_message(sender_id, closed))
            self._in_background(self._retire_buttons(payload, closed))
            return response.text("")
        if live is not None:
            records.set_live_buttons(sender_id, live - {clicked})
        if payload_intent(text) == CONTINUE_PRIVATELY_INTENT and metadata[PLACE] == Place.SHARED.value:
            self._in_background(self._continue_privately(request, on_new_message, person, metadata))
            answer = response.text("")
        else:
            answer = await self._answer(request, on_new_message, text, sender_id, metadata, person=person)
        if answer.status == HTTPStatus.OK:
            choice = (payload["actions"][0].get("text") or {}).get("text") or payload["actions"][0].get("value")
            self._in_background(self._retire_buttons(payload, response_text("utter_button_chosen", choice=choice)))
        return answer

    async def _continue_privately(
        self, request: Request, on_new_message: Callable, user: str, metadata: dict[str, Any]
    ) -> None:
        """Open a direct message with the person (conversations.open) and start the warning-sign check there,
        in the conversation of that place; if Slack refuses, say so where the person clicked."""
        output = self._output_for(metadata)
        try:
            opened = await output.client.conversations_open(users=user)
            direct = opened["channel"]["id"]
        except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError) as error:
            logger.warning("Could not open a direct message on Slack: %s", type(error).__name__)
            await output.send_text_message(user, response_text("utter_direct_message_failed"))
            return
        private = {**metadata, "out_channel": direct, "thread_id": None, PLACE: Place.DIRECT.value}
        sender_id = self._get_conversation_id(user, direct, None)
        await self._answer(request, on_new_message, START_CHECK_PAYLOAD, sender_id, private)

    async def _retire_buttons(self, payload: dict[str, Any], note: str) -> None:
        """Update the clicked message (chat.update): `note` instead of its buttons, so that a used button
        cannot be clicked again."""
        message = payload.get("message") or {}
        channel = (payload.get("channel") or {}).get("id")
        if not (channel and message.get("ts")):
            return
        blocks = [block for block in message.get("blocks") or [] if block.get("type") != "actions"]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
        client = self.get_output_channel(channel).client
        try:
            text = message.get("text") or note
            await client.chat_update(channel=channel, ts=message["ts"], text=text, blocks=blocks)
        except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("Could not retire the buttons of a Slack message: %s", type(error).__name__)

    async def _answer(
        self,
        request: Request,
        on_new_message: Callable,
        text: Any,
        sender_id: str,
        metadata: dict,
        note: str | None = None,
        person: str | None = None,
    ) -> HTTPResponse:
        """Acknowledge at once (Slack wants an answer within 3 s) and reply in the background, after `note`
        if there is one; an unreadable message (channels/validation.py) gets a polite reply instead of
        reaching Rasa. The buttons of the assistant's reply become the conversation's live ones; in a channel
        others read, `person`'s visit summary is shown to them alone."""
        error = sender_error(sender_id)
        if error:
            return response.json({"error": error}, status=HTTPStatus.BAD_REQUEST)
        output = self._output_for(metadata)
        if metadata.get(PLACE) == Place.SHARED.value:
            output.private_to = person
        verdict = check_message(text)
        records = self.records(request)

        async def reply() -> None:
            if note:
                await output.send_text_message(sender_id, note)
            if verdict.reply is not None:
                await output.send_text_message(sender_id, verdict.reply)
            else:
                message = UserMessage(verdict.text, output, sender_id, input_channel=self.name(), metadata=metadata)
                await on_new_message(message)
                records.set_live_buttons(sender_id, output.button_messages)

        self._in_background(reply())
        return response.text("")

    def _in_background(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
