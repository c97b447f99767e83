"""The Rasa NLU component: deterministic findings override the statistical intent."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.warning_sign_classifier import WarningSignClassifier


@pytest.fixture(scope="module")
def classifier() -> WarningSignClassifier:
    return WarningSignClassifier(WarningSignClassifier.get_default_config())


def parsed(text: str, intent: str, ranking: list[str] | None = None, entities: list[dict] | None = None) -> Message:
    names = ranking or [intent]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": n, "confidence": 0.9 - i * 0.1} for i, n in enumerate(names)],
            "entities": entities or [],
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
        ("I'm 30 weeks pregnant and have a headache", "out_of_scope", "possible_warning_sign"),
        ("my neck cramps at my desk", "topic", "topic"),
        # A health message DIET took for small talk or a yes/no gets a topic, never "out of scope".
        ("stiff neck, no fever and no rash", "deny", "topic"),
        ("my neck has been sore all week", "out_of_scope", "topic"),
    ],
)
def test_findings_override_the_statistical_intent(classifier, text, diet_intent, expected):
    message = run(classifier, parsed(text, diet_intent))
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[0]["name"] == expected


def test_a_plain_yes_stays_a_yes(classifier):
    assert run(classifier, parsed("yes", "affirm")).get("intent")["name"] == "affirm"


def test_flags_signs_denials_and_the_question_become_entities(classifier):
    message = run(classifier, parsed("fever and a stiff neck, no injury", "topic"))
    entities = {(e["entity"], e["value"]) for e in message.get("entities")}
    assert {("red_flag", "meningitis_signs"), ("sign", "fever"), ("sign", "stiff_neck")} <= entities
    assert ("absent_sign", "injury") in entities
    assert message.get("warning_signs")["urgency"] == "emergency"
    question = run(classifier, parsed("i have a fever and a bad headache", "topic"))
    assert ("safety_question", "fever_check") in {(e["entity"], e["value"]) for e in question.get("entities")}


def test_the_entities_span_the_words_that_gave_them(classifier):
    text = "fever and a stiff neck, no injury"
    entities = run(classifier, parsed(text, "topic")).get("entities")
    spans = {e["value"]: text[e["start"] : e["end"]] for e in entities if e["entity"] == "red_flag"}
    assert spans["meningitis_signs"] == "fever and a stiff neck"


def test_the_answer_to_a_yes_no_question_is_read(classifier):
    assert run(classifier, parsed("not sure really", "deny")).get("warning_signs")["answer"] == "unsure"


@pytest.mark.parametrize(
    "text, ranking, expected",
    [
        # DIET's dose guess without a dose request gives way to its next intent, a health message to a topic.
        ("my doctor prescribed cyclobenzaprine", ["ask_dose", "summary", "topic"], "topic"),
        ("why are new headaches in older people taken more seriously?", ["ask_dose", "out_of_scope"], "topic"),
        ("thanks, that was all", ["ask_dose", "thank"], "thank"),
        ("what's the maximum dose of cyclobenzaprine", ["topic", "ask_dose"], "ask_dose"),
        ("how many ibuprofen can I take a day", ["ask_dose", "topic"], "ask_dose"),
    ],
)
def test_only_the_dose_rules_give_a_dose_refusal(classifier, text, ranking, expected):
    # The spaCy pipeline tags catalogue terms before this component runs.
    tagged = [
        {"entity": entity, "value": word}
        for entity, word in (("symptom", "headaches"), ("treatment", "cyclobenzaprine"))
        if word in text
    ]
    assert run(classifier, parsed(text, ranking[0], ranking, tagged)).get("intent")["name"] == expected


def test_explicit_negation_downgrades_a_statistical_emergency(classifier):
    message = run(
        classifier, parsed("stiff neck, no fever, no numbness", "emergency_sign", ["emergency_sign", "topic"])
    )
    assert message.get("intent")["name"] == "topic"


def test_a_statistical_emergency_without_any_recognised_sign_stands(classifier):
    message = run(classifier, parsed("something feels terribly wrong in my head", "emergency_sign"))
    assert message.get("intent")["name"] == "emergency_sign"


@pytest.mark.parametrize("text", ["", "   ", '/choose_topic{"topic":"emg"}'])
def test_empty_messages_and_payloads_are_left_alone(classifier, text):
    message = run(classifier, parsed(text, "choose_topic"))
    assert message.get("intent")["name"] == "choose_topic"
    assert message.get("entities") == []
