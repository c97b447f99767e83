"""The command-line chat (scripts/chat.py) in a real pseudo-terminal, against the shared server stack."""

from __future__ import annotations

import io
import os
import re
import sys
import uuid
from pathlib import Path

import pexpect
import pytest

from evaluation.servers import ROOT, RasaStack, free_port

CHAT = ROOT / "scripts" / "chat.py"
# prompt_toolkit redraws the prompt on every key, so "You:" cannot delimit a turn; it turns bracketed
# paste on once when it starts a prompt and off once when the line is entered, so these do.
PROMPT_READY = "\x1b[?2004h"
PROMPT_DONE = "\x1b[?2004l"
NOISE = re.compile(r"Traceback|\w*Warning:|\b(WARNING|ERROR|INFO|DEBUG)\b")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NUMBERED = re.compile(r"^\s*(\d+)\. (.+?)\s*$", re.MULTILINE)
SYMPTOM = "my head keeps pulling to the left on its own"
THUNDERCLAP = "worst headache of my life, came on like a thunderclap a minute ago"
BOLD_RED = "\x1b[1;31m"


def plain(output: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return ANSI.sub("", output).replace("\r", "")


def new_id() -> str:
    return f"console-{uuid.uuid4().hex}"


class Console:
    """scripts/chat.py in a pseudo-terminal; `turn` types a line and returns what was shown until the next prompt."""

    def __init__(
        self,
        url: str,
        history: Path,
        conversation_id: str | None = None,
        colour: bool = False,
        summaries: Path | None = None,
    ) -> None:
        env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "CONVERSATION_ID")}
        # Warnings shown by default, so that the check below that none reaches the screen means something;
        # no cursor position requests, which pexpect would never answer.
        env.update(PYTHONWARNINGS="default", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
        if not colour:
            env["NO_COLOR"] = "1"
        if conversation_id:
            env["CONVERSATION_ID"] = conversation_id
        self.transcript = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            [str(CHAT), "--url", url, "--history", str(history), "--summaries", str(summaries or history.parent)],
            cwd=str(ROOT),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 250),
        )
        self.child.logfile_read = self.transcript
        self.child.expect_exact(PROMPT_READY)
        self.banner = plain(self.child.before)

    def turn(self, line: str) -> str:
        """Type `line`; what the chat showed in answer (raw: with its escape sequences)."""
        self.child.sendline(line)
        self.child.expect_exact(PROMPT_READY)
        return self.child.before.split(PROMPT_DONE, 1)[-1]

    def quit(self) -> str:
        """Leave with /quit; the whole transcript, checked for tracebacks, warnings and log lines."""
        self.child.sendline("/quit")
        self.child.expect(pexpect.EOF)
        self.child.wait()
        transcript = plain(self.transcript.getvalue())
        assert self.child.exitstatus == 0, transcript
        assert not NOISE.search(transcript), transcript
        return transcript


@pytest.fixture
def console(stack: RasaStack, tmp_path: Path):
    consoles: list[Console] = []

    def start(**kwargs) -> Console:
        consoles.append(Console(stack.url, tmp_path / "history", summaries=tmp_path / "summaries", **kwargs))
        return consoles[-1]

    yield start
    for running in consoles:
        running.child.close(force=True)


def user_texts(stack: RasaStack, conversation_id: str) -> list[str]:
    return [event.get("text") for event in stack.tracker(conversation_id)["events"] if event["event"] == "user"]


def test_a_numbered_suggestion_is_chosen_by_typing_its_number(console):
    chat = console()
    shown = plain(chat.turn(SYMPTOM))
    numbered = NUMBERED.findall(shown)
    assert numbered, shown
    assert [int(number) for number, _ in numbered] == list(range(1, len(numbered) + 1))
    # Text before its buttons: the topic summary comes first.
    assert not NUMBERED.match(shown.splitlines()[0]), shown
    first_title = numbered[0][1]

    answer = plain(chat.turn("1"))
    lines = [line for line in answer.splitlines() if not NUMBERED.match(line)]
    assert any(first_title in line for line in lines), answer

    transcript = chat.quit()
    # Payloads are sent, never shown.
    assert "/choose_topic" not in transcript and '{"topic"' not in transcript
    assert "/start_triage" not in transcript


@pytest.mark.parametrize("colour", [False, True], ids=["no-colour", "colour"])
def test_an_emergency_is_marked(console, colour):
    chat = console(colour=colour)
    shown = chat.turn(THUNDERCLAP)
    assert re.search(r"^\[EMERGENCY\] ", plain(shown), re.MULTILINE), plain(shown)
    if colour:
        assert f"{BOLD_RED}[EMERGENCY] " in shown
    else:
        assert "\x1b[1;31m" not in shown
    chat.quit()


def test_help_numbers_without_choices_and_restart(console, stack):
    conversation_id = new_id()
    chat = console(conversation_id=conversation_id)
    assert "There are no choices to pick 2 from" in plain(chat.turn("2"))
    shown = plain(chat.turn("/help"))
    assert "/restart" in shown and "/quit" in shown and "number" in shown
    assert user_texts(stack, conversation_id) == [], "numbers without choices and /help are not sent"

    numbered = NUMBERED.findall(plain(chat.turn(SYMPTOM)))
    assert numbered
    too_high = len(numbered) + 1
    assert f"There is no choice {too_high}; type a number from 1 to {len(numbered)}." in plain(chat.turn(str(too_high)))

    assert "The conversation was restarted." in plain(chat.turn("/restart"))
    events = stack.api("GET", f"/conversations/{conversation_id}/tracker?include_events=ALL").json()["events"]
    assert any(event["event"] == "restart" for event in events)
    # The restarted conversation has no choices yet.
    assert "There are no choices to pick 1 from" in plain(chat.turn("1"))
    chat.quit()


def test_conversation_id_continues_a_conversation(console, stack):
    conversation_id = new_id()
    first = console(conversation_id=conversation_id)
    assert f"Conversation id: {conversation_id}" in first.banner
    first.turn("hello")
    first.quit()

    second = console(conversation_id=conversation_id)
    second.turn("what is an EMG")
    assert f"Conversation id: {conversation_id}" in second.quit()
    assert user_texts(stack, conversation_id) == ["hello", "what is an EMG"]


def test_a_new_conversation_gets_a_new_id(console):
    ids = [re.search(r"Conversation id: (\S+)", console().banner).group(1) for _ in range(2)]
    assert ids[0] != ids[1]


def test_an_unreachable_server_gets_a_polite_message(tmp_path):
    history = tmp_path / "history"
    chat = Console(f"http://127.0.0.1:{free_port()}", history, conversation_id="kept-id")
    try:
        shown = plain(chat.turn("hello"))
        assert "Cannot reach the assistant" in shown
        assert "Your conversation id is still kept-id" in shown
        assert "Conversation id: kept-id" in chat.quit()
    finally:
        chat.child.close(force=True)
    assert "hello" in history.read_text()


def test_the_visit_summary_is_printed_and_saved_as_a_private_file(console, tmp_path):
    chat = console()
    chat.turn(SYMPTOM)
    shown = plain(chat.turn("what should I tell my doctor"))
    saved = re.search(r"I saved this summary as a text file: (\S+)", shown)
    assert saved, shown
    path = Path(saved.group(1))
    assert path.parent == tmp_path / "summaries" and path.stat().st_mode & 0o777 == 0o600
    text = path.read_text(encoding="utf-8")
    assert f'"{SYMPTOM}"' in text and "not a medical record" in text
    # The file holds what was printed, paragraph by paragraph.
    assert all(paragraph.splitlines()[0] in shown for paragraph in text.split("\n\n"))
    chat.quit()


def test_forgetting_erases_the_conversation_and_the_typed_lines(console, stack, tmp_path):
    conversation_id = new_id()
    chat = console(conversation_id=conversation_id)
    chat.turn(SYMPTOM)
    shown = plain(chat.turn("delete my conversation"))
    numbered = dict((title, number) for number, title in NUMBERED.findall(shown))
    assert "Yes, delete it" in numbered, shown
    assert SYMPTOM in (tmp_path / "history").read_text()

    assert "deleted this whole conversation" in plain(chat.turn(numbered["Yes, delete it"]))
    assert user_texts(stack, conversation_id) == []
    assert SYMPTOM not in (tmp_path / "history").read_text()
    chat.quit()
