"""The statistical net under the warning-sign rules: trained on the development corpora only, it ranks
unseen emergencies above everyday messages, and the classifier escalates on it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from components.warning_sign_classifier import WarningSignClassifier
from components.warning_sign_net import (
    NET_PROPERTY,
    NetError,
    WarningSignNet,
    corpus_files,
    emergency_probability,
    net_files,
    routine_cases,
    train_net,
    training_cases,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def net():
    config = WarningSignNet.get_default_config()
    routine = routine_cases(load_data(str(ROOT / "data" / "nlu")), config)
    return train_net(training_cases(net_files(config)), routine, config["routine_weight"])


def heldout_topic_phrasings() -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "heldout_topics.yml").read_text(encoding="utf-8"))
    return [line.strip()[2:] for block in data["nlu"] for line in block["examples"].splitlines() if line.strip()]


def test_the_nets_routine_examples_are_the_assistants_topic_and_small_talk_examples():
    cases = routine_cases(load_data(str(ROOT / "data" / "nlu")), WarningSignNet.get_default_config())
    texts = {text for text, _ in cases}
    assert len(cases) > 500 and not any(emergency for _, emergency in cases)
    assert "botox for neck pain" in texts and not any("worst headache" in text for text in texts)


def test_held_out_topic_descriptions_do_not_make_the_net_escalate(net):
    # "my head keeps pulling to the left" once scored 0.92: the net had learnt "pulling" from stroke cases.
    # At most one in fifty: the net is a safety net and errs towards escalating; the examples people are
    # shown in the README never escalate.
    phrasings = heldout_topic_phrasings()
    escalated = [text for text in phrasings if emergency_probability(net, text) >= 0.6]
    assert len(escalated) <= len(phrasings) // 50, escalated
    shown = [
        "my head keeps pulling to the left",
        "I get headaches since my disc herniation",
        "is botox safe for my neck?",
    ]
    assert all(emergency_probability(net, f"{text} on its own") < 0.6 for text in shown[:1])
    assert all(emergency_probability(net, text) < 0.6 for text in shown)


def test_the_frozen_corpus_is_never_trained_on():
    assert all("frozen" not in file.name for file in corpus_files("tests/corpora", "warning_signs_*dev*.yml"))
    with pytest.raises(NetError, match="frozen"):
        corpus_files("tests/corpora", "warning_signs_*.yml")
    with pytest.raises(NetError, match="no warning-sign corpus"):
        corpus_files("tests/corpora", "nothing_here_*.yml")


# Written for this test, in wordings none of the rules name.
@pytest.mark.parametrize(
    "emergency, everyday",
    [
        (
            "my nan went grey and clammy and her left side has just stopped working",
            "my nan's neck gets stiff in the cold, what stretches are gentle?",
        ),
        (
            "toddler burning hot, floppy and won't wake properly for his bottle",
            "toddler teething and grumpy, any tips for his sore gums?",
        ),
    ],
)
def test_an_unseen_emergency_scores_higher_than_an_everyday_message(net, emergency, everyday):
    assert emergency_probability(net, emergency) > emergency_probability(net, everyday)


def classified_message(text: str, chance: float) -> Message:
    classifier = WarningSignClassifier({})
    message = Message(
        data={
            "text": text,
            "intent": {"name": "topic", "confidence": 0.9},
            "intent_ranking": [{"name": "topic", "confidence": 0.9}],
            "entities": [],
            NET_PROPERTY: {"emergency": chance},
        }
    )
    return classifier.process([message])[0]


def classified(text: str, chance: float) -> str:
    return classified_message(text, chance).get("intent")["name"]


@pytest.mark.parametrize(
    "chance, intent",
    [(0.95, "emergency_sign"), (0.9, "emergency_sign"), (0.8, "possible_warning_sign"), (0.5, "topic")],
)
def test_the_classifier_escalates_when_the_net_thinks_an_emergency_likely_and_asks_when_possible(chance, intent):
    assert classified("something is very wrong with my son and I don't know what", chance) == intent


def test_the_question_the_net_asks_is_the_general_one_and_a_yes_raises_an_emergency():
    message = classified_message("something is very wrong with my son and I don't know what", 0.8)
    asked = [e["value"] for e in message.get("entities") if e["entity"] == "safety_question"]
    assert asked == ["emergency_check"]
    signs = WarningSignClassifier({}).detector.warning_signs
    assert signs.flag(signs.question("emergency_check").if_yes).urgency.value == "emergency"


def test_a_rule_found_emergency_stays_an_emergency_whatever_the_net_says():
    assert classified("worst headache of my life, came on in a second", 0.0) == "emergency_sign"


def test_a_message_the_rules_recognise_as_a_look_alike_is_not_escalated_by_the_net():
    # "pulling to one side" is a walking sign; with the head pulled aside it is the neck muscles.
    assert classified("my head keeps pulling to one side and I can't stop it", 0.95) == "topic"
    assert classified("I keep pulling to one side when I walk and I can't stop it", 0.95) != "topic"


def test_a_dose_idiom_does_not_stop_the_net_from_escalating():
    # "a healthy dose of" hides a dose request; it explains no warning sign away.
    assert classified("had a healthy dose of sun and now something feels very wrong with me", 0.95) == "emergency_sign"
