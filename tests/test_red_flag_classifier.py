"""The Rasa NLU component: deterministic findings override the statistical intent."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.red_flag_classifier import RedFlagClassifier


@pytest.fixture(scope="module")
def classifier() -> RedFlagClassifier:
    return RedFlagClassifier(RedFlagClassifier.get_default_config())


def parsed(text: str, intent: str, ranking: list[str] | None = None) -> Message:
    names = ranking or [intent]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": n, "confidence": 0.9 - i * 0.1} for i, n in enumerate(names)],
            "entities": [],
        }
    )


def run(classifier, message: Message) -> Message:
    return classifier.process([message])[0]


@pytest.mark.parametrize(
    "text, diet_intent, expected",
    [
        ("is botox safe? also since the injection yesterday I can't swallow properly", "topic", "emergency_sign"),
        ("I suddenly have the worst headache of my life", "greet", "emergency_sign"),
        ("how many units of botox should I inject?", "topic", "ask_dose"),
        ("I'm 64 and my headaches are new", "topic", "warning_sign"),
        ("what dose of baclofen? my arm went numb an hour ago", "ask_dose", "emergency_sign"),
        ("my neck cramps at my desk", "topic", "topic"),
    ],
)
def test_findings_override_the_statistical_intent(classifier, text, diet_intent, expected):
    message = run(classifier, parsed(text, diet_intent))
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[0]["name"] == expected


def test_red_flags_and_denied_signs_become_entities(classifier):
    message = run(classifier, parsed("fever and a stiff neck, no injury", "topic"))
    entities = {(e["entity"], e["value"]) for e in message.get("entities")}
    assert ("red_flag", "meningitis_signs") in entities
    assert ("absent_sign", "injury") in entities
    assert message.get("warning_signs")["urgency"] == "emergency"


def test_the_entities_span_the_words_that_gave_them(classifier):
    text = "fever and a stiff neck, no injury"
    spans = {e["value"]: text[e["start"] : e["end"]] for e in run(classifier, parsed(text, "topic")).get("entities")}
    assert spans["meningitis_signs"] == "fever and a stiff neck"
    assert spans["injury"].endswith("injury")  # the phrase the injury concept matched


def test_explicit_negation_downgrades_a_statistical_emergency(classifier):
    message = run(
        classifier, parsed("stiff neck, no fever, no numbness", "emergency_sign", ["emergency_sign", "topic"])
    )
    assert message.get("intent")["name"] == "topic"


def test_a_statistical_emergency_without_any_negation_stands(classifier):
    message = run(classifier, parsed("something feels terribly wrong in my head", "emergency_sign"))
    assert message.get("intent")["name"] == "emergency_sign"


@pytest.mark.parametrize("text", ["", "   ", '/choose_topic{"topic":"emg"}'])
def test_empty_messages_and_payloads_are_left_alone(classifier, text):
    message = run(classifier, parsed(text, "choose_topic"))
    assert message.get("intent")["name"] == "choose_topic"
    assert message.get("entities") == []
