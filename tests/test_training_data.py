"""Training and held-out data cover every topic, and the held-out phrasings are never trained on."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text) pairs of a Rasa NLU file, with entity markup reduced to the plain words."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (block["intent"], ENTITY_MARKUP.sub(r"\1", line.strip()[2:].strip()))
        for block in data.get("nlu", [])
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


TRAINING = [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in examples(path)]
HELDOUT = [pair for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")) for pair in examples(path)]


def test_every_topic_has_at_least_30_training_and_8_heldout_examples(catalogue):
    training = Counter(intent for intent, _ in TRAINING)
    heldout = Counter(intent for intent, _ in HELDOUT)
    for topic_id in catalogue.ids:
        assert training[f"topic/{topic_id}"] >= 30, topic_id
        assert heldout[f"topic/{topic_id}"] >= 8, topic_id
    assert {intent for intent in training if intent.startswith("topic/")} == {f"topic/{i}" for i in catalogue.ids}


def test_every_other_intent_has_8_heldout_examples():
    heldout = Counter(intent for intent, _ in HELDOUT)
    others = {intent for intent, _ in TRAINING if not intent.startswith("topic/")}
    assert {intent: heldout[intent] for intent in others if heldout[intent] < 8} == {}


def test_heldout_phrasings_are_never_trained_on():
    trained = {text.lower() for _, text in TRAINING}
    assert not [text for _, text in HELDOUT if text.lower() in trained]


def test_generated_responses_cover_every_topic(catalogue):
    generated = yaml.safe_load((ROOT / "build" / "rasa" / "topic_responses.yml").read_text(encoding="utf-8"))
    assert set(generated["responses"]) == {f"utter_topic/{topic_id}" for topic_id in catalogue.ids}


def test_readme_lists_every_topic(catalogue):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not [topic_id for topic_id in catalogue.ids if f"`{topic_id}`" not in readme]
