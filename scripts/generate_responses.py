"""Write the responses that the catalogue words (`utter_topic/<id>`, `utter_ask_safety_answer`) and the
reminder of an open emergency (`utter_remind_emergency`).

The ResponseSelector needs a response for every `topic/<id>` retrieval intent, and the targeted
warning-sign question has one variation per question, chosen by the `safety_question` slot. Generating
them keeps catalogue/topics.yml and catalogue/red_flags.yml the only places these sentences are written.
The reminder that starts every reply while an emergency is open is domain.yml's `utter_emergency`, each
variation also conditioned on `urgency` being `emergency`: said by the Rasa server itself, with no call to
the action server, and silent otherwise (components/conditional_responses.py).

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
from knowledge.responses import domain_response  # noqa: E402
from knowledge.urgency import Urgency  # noqa: E402

OPEN_EMERGENCY = {"type": "slot", "name": "urgency", "value": Urgency.EMERGENCY.value}
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
    return {
        **topics,
        "utter_ask_safety_answer": questions,
        "utter_remind_emergency": only_while_emergency_open(domain_response("utter_emergency")),
    }


def only_while_emergency_open(variations: list[dict]) -> list[dict]:
    """The variations, each also conditioned on an open emergency. In Rasa a conditional variation wins
    over an unconditional one; once every variation is conditional that precedence is gone, so the
    unconditional ones get the opposite of each yes/no condition of the others (crisis support: the
    crisis variation when `crisis` is true, the emergency message when it is false)."""
    conditions = [condition for variation in variations for condition in variation.get("condition", [])]
    if any(not isinstance(condition.get("value"), bool) for condition in conditions):
        raise ValueError("utter_emergency: only yes/no slot conditions can be turned into a reminder")
    otherwise = [{**condition, "value": not condition["value"]} for condition in conditions]
    return [
        {**variation, "condition": [OPEN_EMERGENCY, *(variation.get("condition") or otherwise)]}
        for variation in variations
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    generated = responses()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated from catalogue/topics.yml, catalogue/red_flags.yml and domain.yml"
        " by scripts/generate_responses.py; do not edit.\n"
    )
    body = yaml.safe_dump({"version": "3.1", "responses": generated}, sort_keys=False, allow_unicode=True, width=1000)
    args.output.write_text(header + body, encoding="utf-8")
    print(f"{len(generated)} responses written to {args.output}")


if __name__ == "__main__":
    main()
