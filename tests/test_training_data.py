"""Training and held-out data cover every topic, and the held-out phrasings are never trained on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from evaluation.expectations import HELDOUT, TRAINING
from knowledge.red_flags import default_warning_signs

ROOT = Path(__file__).resolve().parent.parent


def test_every_topic_has_at_least_30_training_and_8_heldout_examples(catalogue):
    training = Counter(example.intent for example in TRAINING)
    heldout = Counter(example.intent for example in HELDOUT)
    for topic_id in catalogue.ids:
        assert training[f"topic/{topic_id}"] >= 30, topic_id
        assert heldout[f"topic/{topic_id}"] >= 8, topic_id
    assert {intent for intent in training if intent.startswith("topic/")} == {f"topic/{i}" for i in catalogue.ids}


def test_every_other_intent_has_8_heldout_examples():
    heldout = Counter(example.intent for example in HELDOUT)
    others = {example.intent for example in TRAINING if not example.intent.startswith("topic/")}
    assert {intent: heldout[intent] for intent in others if heldout[intent] < 8} == {}


def test_heldout_phrasings_are_never_trained_on():
    trained = {example.text.lower() for example in TRAINING}
    assert not [example.text for example in HELDOUT if example.text.lower() in trained]


def test_generated_responses_cover_every_topic(catalogue):
    generated = yaml.safe_load((ROOT / "build" / "rasa" / "responses.yml").read_text(encoding="utf-8"))
    topics = {name for name in generated["responses"] if name.startswith("utter_topic/")}
    assert topics == {f"utter_topic/{topic_id}" for topic_id in catalogue.ids}


def test_generated_responses_ask_every_targeted_question():
    generated = yaml.safe_load((ROOT / "build" / "rasa" / "responses.yml").read_text(encoding="utf-8"))
    asked = {v["condition"][0]["value"] for v in generated["responses"]["utter_ask_safety_answer"]}
    assert asked == {question.id for question in default_warning_signs().questions}


def test_readme_lists_every_topic(catalogue):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not [topic_id for topic_id in catalogue.ids if f"`{topic_id}`" not in readme]
