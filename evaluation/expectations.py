"""What every test expects, defined once: no dose, the doctor prompts from domain.yml, the warning-sign
table and the NLU examples (training and held-out), read the same way everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
# The warning-sign table: text -> expected urgency, shared by the unit and end-to-end tests.
RED_FLAG_CASES = yaml.safe_load((ROOT / "tests" / "red_flag_cases.yml").read_text(encoding="utf-8"))["cases"]
DOCTOR_PROMPTS = {variation["text"] for variation in DOMAIN["responses"]["utter_see_doctor"]}
# A dose: a number with mg, ml or units.
DOSE = re.compile(r"\d+(\.\d+)?\s*(mg|milligrams?|ml|millilit(re|er)s?|units?|iu)\b", re.IGNORECASE)


# A whole conversation through the main skills: a symptom, tell me more, the warning-sign check to its
# result, goodbye. Used by the load benchmark and the persistence tests.
CONVERSATION = [
    "my neck cramps up every afternoon at my desk",
    "tell me more",
    "/start_triage",
    "no",
    "no",
    "no",
    "no",
    "no",
    "about three weeks",
    "bye",
]


def response_texts(name: str) -> set[str]:
    return {variation["text"] for variation in DOMAIN["responses"][name]}


# Rasa's entity markup in NLU examples: [words](label).
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


@dataclass(frozen=True)
class Example:
    """One NLU example: its intent, its plain text and its marked entities as (label, words)."""

    intent: str
    text: str
    entities: frozenset[tuple[str, str]]


def nlu_examples(path: Path) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = [
        (block["intent"], line.strip()[2:].strip())
        for block in data.get("nlu", [])
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    return [
        Example(
            intent,
            ENTITY_MARKUP.sub(r"\1", line),
            frozenset((label, words) for words, label in ENTITY_MARKUP.findall(line)),
        )
        for intent, line in lines
    ]


TRAINING = [example for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for example in nlu_examples(path)]
# Never trained on: every intent (heldout_intents.yml) and every topic (heldout_topics.yml).
HELDOUT_DIR = ROOT / "tests" / "nlu"
HELDOUT = [example for path in sorted(HELDOUT_DIR.glob("heldout_*.yml")) for example in nlu_examples(path)]
