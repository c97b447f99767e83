"""The project's changes to Rasa's internals are installed on purpose, by the server, and only on the Rasa
version they were written for; importing the project's packages changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh process, so that no other test has installed anything yet.
CHECK = """
import logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(message)s")
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
original = (RemoteAction.run, RemoteAction._validate_action_result, Event.resolve_by_type)
import actions, channels, components, knowledge
import components.topic_ranker, components.warning_sign_classifier, components.warning_sign_policy
unchanged = original == (RemoteAction.run, RemoteAction._validate_action_result, Event.resolve_by_type)
print("import changed nothing:", unchanged)
from components import rasa_patches
installed = rasa_patches.install(sys.argv[1])
changed = original != (RemoteAction.run, RemoteAction._validate_action_result, Event.resolve_by_type)
print("installed:", installed, "changed:", changed)
"""


def run_check(version: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, version], capture_output=True, text=True, cwd=ROOT, check=True, timeout=300
    )
    return done.stdout


def test_importing_changes_nothing_and_the_supported_version_gets_the_patches():
    output = run_check("3.6.21")
    assert "import changed nothing: True" in output
    assert "installed: True changed: True" in output


def test_on_another_rasa_version_the_patches_stay_off_and_the_log_says_so():
    output = run_check("3.7.0")
    assert "installed: False changed: False" in output
    assert "Rasa 3.7.0 is not 3.6.21" in output and "are off" in output
