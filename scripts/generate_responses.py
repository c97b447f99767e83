"""Write the retrieval-intent responses `utter_topic/<id>` from the topic catalogue.

The ResponseSelector needs a response for every `topic/<id>` retrieval intent; generating them keeps
catalogue/topics.yml the only place a summary is written.

    python scripts/generate_topic_responses.py build/rasa/topic_responses.yml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.catalogue import default_catalogue  # noqa: E402
from actions.topic_messages import summary_variations  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    responses = {
        f"utter_topic/{topic.id}": [{"text": text} for text in summary_variations(topic)]
        for topic in default_catalogue().topics
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated from catalogue/topics.yml by scripts/generate_topic_responses.py; do not edit.\n"
    body = yaml.safe_dump({"version": "3.1", "responses": responses}, sort_keys=False, allow_unicode=True, width=1000)
    args.output.write_text(header + body, encoding="utf-8")
    print(f"{len(responses)} topic responses written to {args.output}")


if __name__ == "__main__":
    main()
