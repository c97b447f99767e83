"""Chat with the running assistant on the command line, through its REST channel (`make chat`).

    python scripts/chat.py [--url http://localhost:5005] [--no-color] [--history build/chat-history]

Buttons are shown as a numbered list; typing a number sends that button. /help, /restart and /quit are
handled here. A visit summary (the response utter_visit_summary) is also saved as a text file under
build/summaries/ (--summaries), and its path is shown. CONVERSATION_ID continues a conversation;
without it a new one starts, and its id is printed so that it can be continued later. RASA_URL may
name the server instead of --url.
docs/console-chat.md describes it for users.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Before the third-party imports: a warning from a library must never reach the person chatting.
warnings.simplefilter("ignore")

import requests  # noqa: E402
from prompt_toolkit import PromptSession  # noqa: E402
from prompt_toolkit.history import FileHistory, History, InMemoryHistory  # noqa: E402

# The assistant's own sentences (domain.yml), as the channels read them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from knowledge.responses import CONVERSATION_FORGOTTEN, VISIT_SUMMARY, response_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "http://localhost:5005"
DEFAULT_HISTORY = ROOT / "build" / "chat-history"
DEFAULT_SUMMARIES = ROOT / "build" / "summaries"
PROMPT = "You: "
# The webhook waits for the whole bot turn, custom actions included.
REPLY_TIMEOUT = 60.0
WEBHOOK = "/webhooks/rest/webhook"
CHOICE = re.compile(r"\d+")

BOLD_RED = "\033[1;31m"
BOLD_YELLOW = "\033[1;33m"
RESET = "\033[0m"
# Urgency (from the REST channel's `urgency` mark) -> marker and colour. The marker is shown with colour
# too, as colour alone is lost on screen readers and colour-blind eyes.
URGENCY_STYLES = {"emergency": ("[EMERGENCY]", BOLD_RED), "urgent": ("[URGENT]", BOLD_YELLOW)}

HELP = """\
Type your question or describe your symptoms, then press Enter.
When the assistant offers choices, they are numbered: type a number (e.g. 1) to choose one.
  /restart   start the conversation again
  /help      show this help
  /quit      leave (Ctrl-D too)
Earlier messages: the Up and Down arrow keys."""


class ChatError(Exception):
    """A problem with the server, worded for the person chatting."""


@dataclass
class Chat:
    """One conversation: where to send it, how to show it, and the buttons last shown."""

    url: str
    conversation_id: str
    colour: bool
    http: requests.Session = field(default_factory=requests.Session)
    payloads: list[str] = field(default_factory=list)
    summaries: Path = DEFAULT_SUMMARIES
    history: Path | None = None


def wants_colour(no_color_option: bool) -> bool:
    """Colour only on a terminal, unless --no-color or NO_COLOR (https://no-color.org) says otherwise."""
    if no_color_option or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def styled(text: str, urgency: object, colour: bool) -> str:
    """The text of a reply, marked (and coloured) by its urgency."""
    if urgency not in URGENCY_STYLES:
        return text
    marker, code = URGENCY_STYLES[urgency]
    marked = f"{marker} {text}"
    return f"{code}{marked}{RESET}" if colour else marked


def reply_parts(reply: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    """A reply's text and buttons, also when they come wrapped as a custom `data` message."""
    custom = reply.get("custom")
    data = custom.get("data") if isinstance(custom, dict) else None
    source = data if isinstance(data, dict) else reply
    text = source.get("text")
    buttons = [button for button in source.get("buttons") or [] if isinstance(button, dict)]
    return (text if isinstance(text, str) else None), buttons


def render_turn(replies: list[dict[str, Any]], colour: bool) -> tuple[list[str], list[str]]:
    """The lines showing a bot turn, and its buttons' payloads in the order they are numbered."""
    lines: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        text, buttons = reply_parts(reply)
        if text:
            lines.append(styled(text, reply.get("urgency"), colour))
        if isinstance(reply.get("image"), str):
            lines.append(f"[image: {reply['image']}]")
        for button in buttons:
            if not isinstance(button.get("payload"), str):
                continue
            payloads.append(button["payload"])
            # Numbered across the whole turn, so that every button shown has its own number.
            lines.append(f"  {len(payloads)}. {button.get('title') or 'Choice'}")
    return lines, payloads


def chosen_payload(number: int, payloads: list[str]) -> str:
    """The payload of button `number`, or a ChatError saying which numbers there are."""
    if not payloads:
        raise ChatError(f"There are no choices to pick {number} from right now; type your message instead.")
    if not 1 <= number <= len(payloads):
        raise ChatError(f"There is no choice {number}; type a number from 1 to {len(payloads)}.")
    return payloads[number - 1]


def server_error(response: requests.Response) -> str:
    """A polite sentence for an HTTP error from the server."""
    if response.status_code == 400:
        try:
            detail = response.json().get("error")
        except (ValueError, AttributeError):
            detail = None
        return f"The assistant could not take that message{': ' + detail if detail else '.'}"
    return f"The assistant had a problem (HTTP {response.status_code}). Please try again in a moment."


def send(chat: Chat, message: str) -> list[dict[str, Any]]:
    """Send one message and return the bot's replies; server problems become a ChatError."""
    try:
        response = chat.http.post(
            chat.url + WEBHOOK, json={"sender": chat.conversation_id, "message": message}, timeout=REPLY_TIMEOUT
        )
    except requests.Timeout as error:
        raise ChatError("The assistant took too long to answer. Please try again.") from error
    except requests.RequestException as error:
        raise ChatError(f"Cannot reach the assistant at {chat.url}. Is it running? Please try again.") from error
    if not response.ok:
        raise ChatError(server_error(response))
    try:
        replies = response.json()
    except ValueError as error:
        raise ChatError("The assistant's answer could not be read. Please try again.") from error
    if not isinstance(replies, list):
        raise ChatError("The assistant's answer could not be read. Please try again.")
    return [reply for reply in replies if isinstance(reply, dict)]


def save_summary(chat: Chat, text: str) -> Path:
    """Write a visit summary to a new text file that only the user can read; its path."""
    chat.summaries.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = chat.summaries / f"summary-{stamp}-{chat.conversation_id[:8]}.txt"
    number = 1
    while path.exists():
        number += 1
        path = chat.summaries / f"summary-{stamp}-{chat.conversation_id[:8]}-{number}.txt"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text.rstrip() + "\n")
    return path


def forget_typed_lines(history: Path) -> None:
    """Empty the file of typed lines (the Up-arrow history); saved summaries stay, they are the user's files."""
    try:
        if history.exists():
            history.write_text("", encoding="utf-8")
    except OSError:
        pass


def show_turn(chat: Chat, replies: list[dict[str, Any]]) -> None:
    """Print a bot turn; its buttons, if any, become the ones numbers refer to; a visit summary is saved."""
    lines, payloads = render_turn(replies, chat.colour)
    if payloads:
        chat.payloads = payloads
    print("\n".join(lines) if lines else "(no answer)")
    # Once the server erased the conversation, the typed lines kept for the Up arrow are erased too.
    if chat.history is not None and any(reply.get("response") == CONVERSATION_FORGOTTEN for reply in replies):
        forget_typed_lines(chat.history)
    # The REST channel sends each paragraph of a text as its own reply: the summary is all of them.
    summary = [r["text"] for r in replies if r.get("response") == VISIT_SUMMARY and isinstance(r.get("text"), str)]
    if summary:
        try:
            print(response_text("utter_summary_saved", path=save_summary(chat, "\n\n".join(summary))))
        except OSError as error:
            print(f"The summary could not be saved as a file ({error.strerror}); it is shown above.")


def say(chat: Chat, message: str) -> None:
    """Send a message (text or a button's payload) and show the answer, or why there is none."""
    try:
        show_turn(chat, send(chat, message))
    except ChatError as error:
        print(f"{error} (Your conversation id is still {chat.conversation_id}.)")


def restart(chat: Chat) -> None:
    """Rasa's /restart: the conversation starts again, under the same id."""
    try:
        replies = send(chat, "/restart")
    except ChatError as error:
        print(f"{error} The conversation was not restarted.")
        return
    chat.payloads = []
    if replies:
        show_turn(chat, replies)
    print("The conversation was restarted.")


def handle(chat: Chat, line: str) -> bool:
    """Act on one line typed by the person; False once they want to leave."""
    text = line.strip()
    if not text:
        return True
    if text in ("/quit", "/exit"):
        return False
    if text == "/help":
        print(HELP)
    elif text == "/restart":
        restart(chat)
    elif CHOICE.fullmatch(text):
        try:
            say(chat, chosen_payload(int(text), chat.payloads))
        except ChatError as error:
            print(error)
    elif text.startswith("/"):
        # Rasa would read "/anything" as an intent; only the buttons send payloads.
        print(f"Unknown command {text.split()[0]}; type /help to see the commands.")
    else:
        say(chat, text)
    return True


def history_for(path: Path) -> History:
    """A FileHistory at `path` (private to the user: it holds health questions), in memory if impossible."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def typed_lines(history: Path) -> Iterator[str]:
    """The lines the person types, until Ctrl-D; Ctrl-C only clears the line, as in a shell."""
    if not sys.stdin.isatty():
        # Piped input (scripts): no line editing, no history.
        yield from sys.stdin
        return
    session: PromptSession = PromptSession(history=history_for(history))
    while True:
        try:
            yield session.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return


def server_answers(url: str) -> bool:
    """Whether the Rasa server answers at all (GET / needs no --enable-api)."""
    try:
        return requests.get(url + "/", timeout=2).ok
    except requests.RequestException:
        return False


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as someone else
        pass
    return True


def wait_for_server(url: str, seconds: float, pid: int | None, log: str | None) -> bool:
    """Wait until the server answers; False (and why) if it stops or does not answer in time."""
    if server_answers(url):
        return True
    print("Starting the assistant; this can take a minute...", flush=True)
    where = f" Its log is {log}." if log else ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pid is not None and not process_alive(pid):
            print(f"The assistant's server stopped while starting.{where}")
            return False
        if server_answers(url):
            return True
        time.sleep(1)
    print(f"The assistant did not answer at {url} within {seconds:.0f} seconds.{where}")
    return False


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line; --wait and --server-* are for `make chat`."""
    parser = argparse.ArgumentParser(description="Chat with the neck-pain and headache assistant.")
    parser.add_argument("--url", default=os.environ.get("RASA_URL", DEFAULT_URL), help="the Rasa server")
    parser.add_argument("--no-color", action="store_true", help="no colour (NO_COLOR does the same)")
    parser.add_argument("--history", type=Path, default=DEFAULT_HISTORY, help="file of the input history")
    parser.add_argument("--summaries", type=Path, default=DEFAULT_SUMMARIES, help="folder for visit summaries")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait for the server to start")
    parser.add_argument("--server-pid", type=int, help="with --wait: stop waiting if this process ends")
    parser.add_argument("--server-log", help="with --wait: the server's log, named if it does not start")
    return parser.parse_args(argv)


def run(options: argparse.Namespace) -> int:
    """Wait for the server if asked, then chat until the person leaves; the exit status."""
    url = options.url.rstrip("/")
    if options.wait and not wait_for_server(url, options.wait, options.server_pid, options.server_log):
        return 1
    chat = Chat(url, os.environ.get("CONVERSATION_ID") or uuid.uuid4().hex, wants_colour(options.no_color))
    chat.summaries = options.summaries
    chat.history = options.history
    print("Neck-pain and headache assistant: health information, not a diagnosis. Type /help for help.")
    print(f"Conversation id: {chat.conversation_id} (CONVERSATION_ID={chat.conversation_id} continues it)")
    status = 0
    try:
        for line in typed_lines(options.history):
            if not handle(chat, line):
                break
    except KeyboardInterrupt:
        # Ctrl-C while an answer is awaited (at the prompt it only clears the line): leave, as make does.
        print()
        status = 130
    print(f"Goodbye. Conversation id: {chat.conversation_id}")
    return status


def main(argv: list[str] | None = None) -> int:
    """The command-line entry point; never ends in a traceback for Ctrl-C."""
    # Nothing logged by a library reaches the screen (Python's last-resort handler would print it).
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        return run(arguments(argv))
    except KeyboardInterrupt:
        print()
        return 130


if __name__ == "__main__":
    sys.exit(main())
