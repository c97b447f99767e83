"""Write the responses that the catalogue words: `utter_topic/<id>` and `utter_ask_safety_answer`.

The ResponseSelector needs a response for every `topic/<id>` retrieval intent, and the targeted
warning-sign question has one variation per question, chosen by the `safety_question` slot. Generating
them keeps catalogue/topics.yml and catalogue/red_flags.yml the only places these sentences are written.

    python scripts/generate_responses.py build/rasa/responses.yml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.catalogue import default_catalogue  # noqa: E402
from knowledge.red_flags import default_warning_signs  # noqa: E402
from knowledge.topic_messages import summary_variations  # noqa: E402

# As the warning-sign check's questions in domain.yml: "not sure" is read from its words by the NLU.
YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "Not sure", "payload": "not sure"},
]


def responses() -> dict[str, list[dict]]:
    topics = {
        f"utter_topic/{topic.id}": [{"text": text} for text in summary_variations(topic)]
        for topic in default_catalogue().topics
    }
    questions = [
        {
            "condition": [{"type": "slot", "name": "safety_question", "value": q.id}],
            "text": q.text,
            "buttons": YES_NO_BUTTONS,
        }
        for q in default_warning_signs().questions
    ]
    return {**topics, "utter_ask_safety_answer": questions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    generated = responses()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated from catalogue/topics.yml and catalogue/red_flags.yml by scripts/generate_responses.py;"
        " do not edit.\n"
    )
    body = yaml.safe_dump({"version": "3.1", "responses": generated}, sort_keys=False, allow_unicode=True, width=1000)
    args.output.write_text(header + body, encoding="utf-8")
    print(f"{len(generated)} responses written to {args.output}")


if __name__ == "__main__":
    main()
