"""The socket.io channel (web chat) with its messages checked: Rasa's SocketIOInput, whose handler for
user messages is replaced by one that refuses malformed events with an error event and answers
unreadable messages politely (channels/validation.py) instead of failing inside the server.

Enabled in credentials.yml as `channels.socketio.CheckedSocketIOInput`; same events and path as Rasa's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels.validation import check_message, sender_error
from knowledge.responses import CONVERSATION_FORGOTTEN, VISIT_SUMMARY
from knowledge.urgency import Urgency, of_reply

logger = logging.getLogger(__name__)

ERROR_EVENT = "error"
# rasa-webchat gives a message with this metadata the CSS class `emergency` (web/style.css highlights it).
EMERGENCY_METADATA = {"urgency": Urgency.EMERGENCY.value, "customCss": {"style": "class", "css": "emergency"}}
# Replies the web page acts on, by the response that produced them, and the CSS class that marks them
# (web/chat.js): the visit summary gets a print button, the erased-conversation reply clears the page's copy.
RESPONSE_CLASSES = {VISIT_SUMMARY: "visit-summary", CONVERSATION_FORGOTTEN: "conversation-forgotten"}


class MarkedSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output; an emergency reply (marked in its response's metadata), the visit summary
    and the erased-conversation reply carry their marks."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        css = RESPONSE_CLASSES.get(message.get("utter_action"))
        if css and message.get("text"):
            # Markdown: a line break inside a paragraph needs two trailing spaces to show.
            text = message["text"].strip().replace("\n", "  \n")
            metadata = {"customCss": {"style": "class", "css": css}}
            await self._send_message(recipient_id, {"text": text, "metadata": metadata})
            return
        if of_reply(message) is Urgency.EMERGENCY and message.get("text") and not message.get("buttons"):
            for part in message["text"].strip().split("\n\n"):
                await self._send_message(recipient_id, {"text": part, "metadata": EMERGENCY_METADATA})
            return
        await super().send_response(recipient_id, message)


class CheckedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel behind message checks."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> SocketIOOutput | None:
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning
        return MarkedSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio

        async def refuse(sid: str, error: str) -> None:
            logger.info("Refused a socket.io message: %s", error)
            await sio.emit(ERROR_EVENT, {"error": error}, room=sid, namespace=self.namespace)

        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return await refuse(sid, "A message must be an object like {message, session_id}.")
            sender = data.get("session_id") if self.session_persistence else sid
            error = sender_error(sender)
            if error:
                return await refuse(sid, f"{error} (send 'session_request' first)")
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            if not isinstance(metadata, dict):
                return await refuse(sid, f"'{self.metadata_key}' must be an object.")
            output = MarkedSocketIOOutput(sio, self.bot_message_evt)
            verdict = check_message(data.get("message"))
            if verdict.reply is not None:
                return await output.send_text_message(sender, verdict.reply)
            message = UserMessage(verdict.text, output, sender, input_channel=self.name(), metadata=metadata)
            await on_new_message(message)

        # Replaces the handler Rasa registered for the same event.
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return webhook
