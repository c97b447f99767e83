"""The action server as deployed (`python -m rasa_sdk`, actions/requirements.txt) is lean: rasa-sdk and the
knowledge package only, no TensorFlow, at most 150 MB resident after it has answered."""

from __future__ import annotations

import uuid
from pathlib import Path

MAX_RESIDENT_MB = 150


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_the_action_server_answers_without_tensorflow_and_in_little_memory(stack):
    # Its custom actions have run: a topic answer (ranking, terms) and the warning-sign check.
    sender = f"lean-{uuid.uuid4().hex}"
    assert stack.send(sender, "is botox safe for my neck? my traps are always tight")
    assert stack.send(sender, "/start_triage")
    pid = stack.actions.pid
    libraries = Path(f"/proc/{pid}/maps").read_text()
    assert "tensorflow" not in libraries
    assert resident_mb(pid) <= MAX_RESIDENT_MB
