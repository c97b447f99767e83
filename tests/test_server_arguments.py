"""The Rasa server's command line as the project writes it (Makefile, evaluation/servers.py)."""

from __future__ import annotations

import re
from pathlib import Path

from rasa.__main__ import create_argument_parser

ROOT = Path(__file__).resolve().parent.parent


def test_a_token_that_starts_with_a_dash_is_still_the_token():
    # secrets.token_urlsafe() starts with "-" one time in 64; as a separate argument it read as an option.
    arguments = create_argument_parser().parse_args(["run", "--enable-api", "--auth-token=-Q1BIKc3RF5lnNSGKAP1cg"])
    assert arguments.auth_token == "-Q1BIKc3RF5lnNSGKAP1cg"


def test_every_auth_token_is_passed_as_one_argument():
    texts = [(ROOT / "Makefile").read_text(), (ROOT / "evaluation" / "servers.py").read_text()]
    assert all(re.findall(r"--auth-token=", text) for text in texts)
    assert not any(re.search(r'--auth-token[" ]', text) for text in texts)
