"""The apology when the action server fails (components/action_fallback.py), with Rasa's own
RemoteAction, response generator and tracker, and an action server that is down, hanging or broken."""

from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components import action_fallback, rasa_patches
from evaluation.expectations import DOCTOR_PROMPTS, ROOT
from evaluation.servers import free_port

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
APOLOGY = DOMAIN.responses["utter_actions_unavailable"][0]["text"]
# How utter_emergency starts (its variant without a condition: no crisis), before its slots are filled in.
EMERGENCY = next(v["text"] for v in DOMAIN.responses["utter_emergency"] if not v.get("condition")).split("{")[0]


def tracker(urgency: str = "routine", *earlier_this_turn: BotUttered) -> DialogueStateTracker:
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in (
        ActionExecuted("action_listen"),
        SlotSet("urgency", urgency),
        UserUttered("is botox safe for my neck?", {"name": "topic", "confidence": 1.0}),
        *earlier_this_turn,
    ):
        tracker.update(event)
    return tracker


def run(action: RemoteAction, conversation: DialogueStateTracker) -> list[str]:
    events = asyncio.run(action.run(CollectingOutputChannel(), NLG, conversation, DOMAIN))
    return [event.text for event in events]


def remote_action(url: str, **endpoint: object) -> RemoteAction:
    return RemoteAction("action_suggest_related_topics", EndpointConfig(url, **endpoint))


@pytest.fixture
def action_server():
    """A stand-in action server on a free port whose behaviour each test sets: "hang", "500" or "reject"."""
    behaviour = {"mode": "500"}

    async def webhook(request: web.Request) -> web.Response:
        if behaviour["mode"] == "hang":
            await asyncio.sleep(30)
        if behaviour["mode"] == "reject":
            return web.json_response({"action_name": "validate_triage_form", "error": "no"}, status=400)
        return web.json_response({"error": "broken"}, status=500)

    def serve(mode: str) -> str:
        behaviour["mode"] = mode
        return url

    port = free_port()
    url = f"http://127.0.0.1:{port}/webhook"
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield serve
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


@pytest.fixture(autouse=True, scope="module")
def patched():
    assert rasa_patches.install()


def test_installing_the_patches_installs_the_fallback():
    assert RemoteAction.run is action_fallback.run_or_apologise


def test_server_down_gives_the_apology_and_the_doctor_prompt():
    texts = run(remote_action(f"http://127.0.0.1:{free_port()}/webhook"), tracker())
    assert texts[0] == APOLOGY and texts[1] in DOCTOR_PROMPTS and len(texts) == 2


def test_during_an_emergency_the_emergency_message_comes_first():
    texts = run(remote_action(f"http://127.0.0.1:{free_port()}/webhook"), tracker("emergency"))
    assert texts[0].startswith(EMERGENCY)
    assert texts[1:] == [APOLOGY, texts[2]] and texts[2] in DOCTOR_PROMPTS


@pytest.mark.parametrize("urgency", ["routine", "urgent", None])
def test_no_emergency_message_without_an_open_emergency(urgency):
    texts = run(remote_action(f"http://127.0.0.1:{free_port()}/webhook"), tracker(urgency))
    assert not any(text.startswith(EMERGENCY) for text in texts)


def test_only_one_apology_per_turn():
    earlier = BotUttered(APOLOGY, metadata={"utter_action": action_fallback.APOLOGY})
    assert run(remote_action(f"http://127.0.0.1:{free_port()}/webhook"), tracker("routine", earlier)) == []


def test_the_next_turn_apologises_again():
    conversation = tracker("routine", BotUttered(APOLOGY, metadata={"utter_action": action_fallback.APOLOGY}))
    conversation.update(UserUttered("and what about emg?", {"name": "topic", "confidence": 1.0}))
    assert run(remote_action(f"http://127.0.0.1:{free_port()}/webhook"), conversation)[0] == APOLOGY


def test_an_error_from_the_action_server_gives_the_apology(action_server):
    assert run(remote_action(action_server("500")), tracker())[0] == APOLOGY


def test_a_hanging_action_server_is_given_up_after_the_timeout(action_server):
    action = remote_action(action_server("hang"), timeout=1)
    assert action_fallback.timeout_seconds(action) == 1
    assert run(action, tracker())[0] == APOLOGY


def test_the_default_timeout_is_short():
    assert action_fallback.timeout_seconds(remote_action("http://127.0.0.1:1/webhook")) == 10


def test_a_rejection_is_not_a_failure(action_server):
    with pytest.raises(ActionExecutionRejection):
        run(remote_action(action_server("reject")), tracker())
