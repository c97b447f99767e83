"""The deterministic warning-sign detector, case by case (tests/red_flag_cases.yml), and dose requests."""

from __future__ import annotations

import pytest
import yaml

from components.red_flag_detector import RED_FLAGS_PATH, RedFlagDetector, RedFlagError, default_detector
from tests.expectations import RED_FLAG_CASES as CASES

DOSE_REQUESTS = [
    "how many units of botox should I inject?",
    "what dose of diazepam?",
    "can you prescribe baclofen?",
    "how much tizanidine can i take a day",
    "what's the maximum dose of cyclobenzaprine",
    "how do i inject botox into my own neck",
    "where should i inject the botox",
    "how often should i take methocarbamol",
    "give me a prescription for valium",
    "what is the right dosage of muscle relaxants for neck spasms",
]
NOT_DOSE_REQUESTS = [
    "is botox safe for my neck?",
    "how long does botox last",
    "do muscle relaxants make you drowsy",
    "what are nerve blocks",
    "how much does physiotherapy help",
]


@pytest.fixture(scope="module")
def detector() -> RedFlagDetector:
    return default_detector()


def test_the_table_is_big_and_covers_every_outcome():
    urgencies = [case["urgency"] for case in CASES]
    assert len(CASES) >= 80
    assert {"emergency", "urgent", "routine"} <= set(urgencies)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['urgency']}-{c['sign']}-{i}" for i, c in enumerate(CASES)])
def test_warning_sign_table(detector, case):
    assessment = detector.assess(case["text"])
    assert assessment.urgency == case["urgency"], [(s.concept, s.text, s.negated) for s in assessment.signs]


@pytest.mark.parametrize("text", DOSE_REQUESTS)
def test_dose_requests_are_recognised(detector, text):
    assert detector.assess(text).dose_request


@pytest.mark.parametrize("text", NOT_DOSE_REQUESTS)
def test_ordinary_questions_are_not_dose_requests(detector, text):
    assert not detector.assess(text).dose_request


@pytest.mark.parametrize(
    "text, denied",
    [
        ("stiff neck, no fever", {"fever"}),
        ("it did not come on suddenly, no thunderclap headache", {"thunderclap"}),
        ("I didn't fall or hit my head", {"injury"}),
    ],
)
def test_denied_signs_are_reported_as_absent(detector, text, denied):
    assert denied <= detector.assess(text).absent


def test_same_text_same_answer(detector):
    text = "I have a fever and a stiff neck and my arm is numb"
    first = detector.assess(text)
    assert all(detector.assess(text) == first for _ in range(3))


def test_a_huge_message_is_assessed_quickly_and_still_finds_an_early_sign(detector):
    text = "I suddenly have the worst headache of my life. " + "blah " * 20000
    assert detector.assess(text).urgency == "emergency"


def test_unknown_concept_in_a_flag_is_a_clear_error(tmp_path):
    data = yaml.safe_load(RED_FLAGS_PATH.read_text(encoding="utf-8"))
    data["red_flags"][0]["when"] = [["thunderclap", "unicorn_sighting"]]
    path = tmp_path / "red_flags.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(RedFlagError, match="red flag 'thunderclap_headache': unknown concept 'unicorn_sighting'"):
        RedFlagDetector(path)
