"""Write web/messages.js: the sentences the web page shows itself (the disclaimer above the chat, the label
of the summary's print button, the notice after a conversation was erased), taken
from the domain's responses so that they are written once.

    python scripts/generate_web_messages.py web/messages.js
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.responses import response_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    output = parser.parse_args().output
    messages = {
        "disclaimer": response_text("utter_disclaimer"),
        "printSummary": response_text("utter_print_summary"),
        "conversationForgotten": response_text("utter_conversation_forgotten"),
    }
    output.write_text(
        "// Generated from domain.yml by scripts/generate_web_messages.py (make build); do not edit.\n"
        f"window.ASSISTANT_MESSAGES = {json.dumps(messages, indent=2, ensure_ascii=False)};\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
