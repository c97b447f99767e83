"""Send buttons so that every channel shows them."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

# rasa-webchat (web/) talks to Rasa's socket.io channel. It shows `quick_replies` only under the very
# last message, and the doctor prompt always comes last; as `buttons` they stay visible. Rasa's
# socket.io output emits a custom message as `emit(event, **message)`, so it must be wrapped in `data`.
WEBCHAT_CHANNEL = "socketio"


def utter_with_buttons(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, buttons: list[dict]) -> None:
    if tracker.get_latest_input_channel() == WEBCHAT_CHANNEL:
        dispatcher.utter_message(json_message={"data": {"text": text, "buttons": buttons}})
    else:
        dispatcher.utter_message(text=text, buttons=buttons)
