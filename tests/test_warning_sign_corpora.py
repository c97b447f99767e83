"""The rules and the statistical net on the independent warning-sign corpora, offline (the same code the
server runs). Only counts are ever printed: the frozen corpus is never shown case by case."""

from __future__ import annotations

import pytest

from components.sign_detector import default_detector
from components.warning_sign_net import WarningSignNet, emergency_probability, net_files, train_net, training_cases
from evaluation import warning_signs
from knowledge.urgency import Urgency

THRESHOLD = 0.75  # components.warning_sign_classifier's default


@pytest.fixture(scope="module")
def predict():
    detector = default_detector()
    net = train_net(training_cases(net_files(WarningSignNet.get_default_config())))

    def outcome(text: str) -> warning_signs.Outcome:
        assessment = detector.assess(text)
        urgency = assessment.urgency
        unsettled = urgency is not Urgency.EMERGENCY and assessment.question is None
        if unsettled and emergency_probability(net, text) >= THRESHOLD:
            urgency = Urgency.EMERGENCY
        return warning_signs.Outcome(urgency, asked=assessment.question is not None)

    return outcome


def test_frozen_corpus_meets_the_recall_targets(predict):
    score = warning_signs.run(warning_signs.load(warning_signs.FROZEN), predict)
    print(f"\nfrozen (held out): {score.summary()} | {score.asked_summary()}")
    hits, total = score.emergency
    # An emergency that got the targeted question escalates on a yes or a "not sure".
    assert (hits + score.emergencies_asked) / total >= warning_signs.TARGETS["emergency"]
    assert score.rate("urgent") >= warning_signs.TARGETS["urgent"]
    # Target 3%; reported by `make eval`. This guards against sliding back.
    assert score.rate("lookalikes_escalated") <= 0.05


# The latest development corpus (`make eval` runs them all, through the server).
@pytest.mark.parametrize("name", list(warning_signs.development_corpora())[-1:])
def test_the_latest_development_corpus_stays_fixed(predict, name):
    cases = warning_signs.load(warning_signs.development_corpora()[name])
    score = warning_signs.run(cases, predict)
    print(f"\n{name} (tuned on): {score.summary()}")
    assert score.rate("emergency") >= 0.98 and score.rate("urgent") >= 0.97
    assert score.rate("lookalikes_escalated") <= 0.03
