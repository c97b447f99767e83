"""Faults and misuse: fuzzed requests, the action server down or hanging, the HTTP API's token, and
what the logs must never contain."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.expectations import DOCTOR_PROMPTS, response_texts
from evaluation.servers import ROOT, RasaStack, free_port, project_endpoints, stop_process, wait_until

FUZZ_EXAMPLES = 150
fuzzed: list[int] = []

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)
request_bodies = st.one_of(
    st.binary(max_size=3000),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {
            "sender": st.one_of(st.text(max_size=300), json_values),
            "message": st.one_of(st.text(max_size=3000), st.text(alphabet="<>/\"'&;{}$%\\ \n\x00", max_size=200)),
        },
        optional={"metadata": json_values, "input_channel": json_values},
    ).map(lambda body: json.dumps(body).encode()),
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(body=request_bodies)
def test_fuzzed_requests_get_an_answer_or_a_clear_error(stack, body):
    fuzzed.append(len(body))
    answer = requests.post(
        f"{stack.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert answer.status_code in (200, 400), (answer.status_code, answer.text[:300])
    content = answer.json()
    if answer.status_code == 400:
        assert content["error"]
    else:
        assert isinstance(content, list) and content, "a readable message always gets a reply"


def test_after_the_fuzzing_a_normal_conversation_is_answered_correctly(stack):
    assert len(fuzzed) == FUZZ_EXAMPLES
    print(f"\nfuzz: {len(fuzzed)} requests of 0 to {max(fuzzed)} bytes, none crashed the server")
    assert all(process.poll() is None for process in stack.processes)
    sender = f"after-fuzz-{uuid.uuid4().hex}"
    replies = [reply.get("text", "") for reply in stack.send(sender, "my head keeps pulling to one side on its own")]
    assert "Cervical dystonia" in replies[0]
    assert replies[-1] in DOCTOR_PROMPTS
    assert stack.send(sender, "tell me more")[0]["text"].startswith("Key points on Cervical dystonia")


# --- the action server down or hanging ---------------------------------------------------------

ACTION_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def fragile(tmp_path_factory) -> RasaStack:
    """A stack whose action server the tests stop and freeze, with a 2 s action timeout."""
    workdir = tmp_path_factory.mktemp("fragile")
    endpoints = project_endpoints(workdir)
    endpoints["action_endpoint"] = {"url": "${ACTION_SERVER_URL}", "timeout": ACTION_TIMEOUT_S}
    path = workdir / "endpoints-fragile.yml"
    path.write_text(yaml.safe_dump(endpoints))  # ${...} stays a plain scalar, which Rasa expands
    stack = RasaStack(workdir, endpoints_file=path)
    try:
        yield stack.start()
    finally:
        if stack.actions and stack.actions.poll() is None:
            os.killpg(stack.actions.pid, signal.SIGCONT)
        stack.stop()


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


APOLOGY = response_texts("utter_actions_unavailable").pop()


def test_with_the_action_server_down_it_apologises_keeps_safety_and_recovers(fragile):
    in_emergency, asking = f"emergency-{uuid.uuid4().hex}", f"asking-{uuid.uuid4().hex}"
    assert texts(fragile.send(in_emergency, "I have a fever and a really stiff neck"))[0].startswith("🚨")
    stop_process(fragile.actions)

    # Every reply of a turn made of custom actions: apology and doctor prompt, not silence.
    replies = texts(fragile.send(asking, "what can you do?"))
    assert replies == [APOLOGY, replies[-1]] and replies[-1] in DOCTOR_PROMPTS
    # The open emergency is still repeated first, although its reminder is a custom action.
    replies = texts(fragile.send(in_emergency, "is botox safe for my neck?"))
    assert replies[0].startswith("🚨") and replies.count(APOLOGY) == 1 and replies[-1] in DOCTOR_PROMPTS

    fragile.start_actions()
    answer = fragile.send(asking, "what can you do?")
    assert APOLOGY not in texts(answer) and any(reply.get("buttons") for reply in answer)
    assert texts(fragile.send(in_emergency, "thanks"))[0].startswith("🚨")


def test_with_the_action_server_hanging_it_apologises_within_the_timeout(fragile):
    sender = f"hanging-{uuid.uuid4().hex}"
    os.killpg(fragile.actions.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        replies = texts(fragile.send(sender, "what can you do?"))
        waited = time.monotonic() - started
    finally:
        os.killpg(fragile.actions.pid, signal.SIGCONT)
    assert APOLOGY in replies and replies[-1] in DOCTOR_PROMPTS
    # Rasa's own default would have waited 5 minutes per action.
    assert waited < 30, waited
    assert APOLOGY not in texts(fragile.send(sender, "what can you do?"))


# --- the HTTP API's token -----------------------------------------------------------------------


def test_make_serve_protects_the_http_api_with_a_printed_token(tmp_path):
    port, actions_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if key != "RASA_AUTH_TOKEN"}
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}", f"ACTIONS_PORT={actions_port}"],
        cwd=ROOT,
        env={**env, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(f"{url}/", process, log)
        printed = re.findall(r"HTTP API token of this run is: (\S+)", log.read_text())
        assert len(printed) == 1
        token = printed[0]
        tracker = f"{url}/conversations/token-test-{uuid.uuid4().hex}/tracker"
        assert requests.get(tracker, timeout=30).status_code == 401
        assert requests.get(tracker, params={"token": "guess"}, timeout=30).status_code == 401
        assert requests.get(tracker, params={"token": token}, timeout=30).status_code == 200
        # The channels stay open: people talk to the assistant without the token.
        answer = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "t", "message": "hi"}, timeout=30)
        assert answer.status_code == 200 and answer.json()
    finally:
        stop_process(process)
    assert token not in log.read_text().replace(printed[0], "", 1)


# --- the logs -----------------------------------------------------------------------------------


def test_conversation_text_and_tokens_stay_out_of_the_logs(stack):
    marker = f"stiffneck{uuid.uuid4().hex[:12]}"
    stack.send(f"logs-{uuid.uuid4().hex}", f"my neck hurts {marker} since monday")
    stack.send(f"logs-{uuid.uuid4().hex}", f"{marker} " * 400)  # too long: answered by the channel
    time.sleep(1)
    for log in stack.workdir.glob("*.log"):
        content = log.read_text(errors="replace")
        assert marker not in content, f"conversation text in {log.name}"
        assert stack.auth_token not in content, f"the API token in {log.name}"


def test_the_doctor_prompts_are_the_domain_ones():
    """Guards the helpers above: the prompts they look for exist."""
    assert DOCTOR_PROMPTS and response_texts("utter_see_doctor") >= DOCTOR_PROMPTS
