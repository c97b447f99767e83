"""The deterministic warning-sign detector: the project's own table, context, typos, answers, targeted
questions, dose requests, and the validation of its data files."""

from __future__ import annotations

import pytest
import yaml

from components.sign_detector import SignDetector, TypoFixer, default_detector
from evaluation.expectations import RED_FLAG_CASES as CASES
from knowledge.red_flags import (
    CONTEXT_PATH,
    RED_FLAGS_PATH,
    SIGNS_PATH,
    RedFlagError,
    conversation_concepts,
    default_warning_signs,
    parse_warning_signs,
)
from knowledge.urgency import Urgency

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
    "how many ibuprofen can I take a day",
    "how many paracetamol is too many",
    "what's the daily dose of ibuprofen for a 5 year old",
    "how much should I give my son for his headache",
]
NOT_DOSE_REQUESTS = [
    "is botox safe for my neck?",
    "how long does botox last",
    "do muscle relaxants make you drowsy",
    "what are nerve blocks",
    "how much does physiotherapy help",
    "my new glasses prescription gives me a headache",
    "my doctor prescribed cyclobenzaprine",
    "how many days should I take off work with whiplash",
    "how many sessions of physio will I need",
    "been on a steady dose of box sets since christmas lol, neck's stiff, better position?",
    "my 9 yr old gets headaches when she hasnt drunk enough, how much water should kids have",
    "how many glasses of water should i have a day for headaches",
]


@pytest.fixture(scope="module")
def detector() -> SignDetector:
    return default_detector()


def test_the_table_is_big_and_covers_every_outcome():
    urgencies = [case["urgency"] for case in CASES]
    assert len(CASES) >= 80
    assert {"emergency", "urgent", "routine"} <= set(urgencies)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['urgency']}-{c['sign']}-{i}" for i, c in enumerate(CASES)])
def test_warning_sign_table(detector, case):
    assessment = detector.assess(case["text"])
    assert assessment.urgency.value == case["urgency"], [(s.concept, s.text, s.context) for s in assessment.signs]


@pytest.mark.parametrize(
    "text, urgency",
    [
        # A resolution word belongs to its own concept only.
        ("fever and a stiff neck, the headache went away though", Urgency.EMERGENCY),
        # Happening now to someone else still counts; someone else's past does not.
        ("my son has a fever and a stiff neck", Urgency.EMERGENCY),
        ("my gran had a stroke", Urgency.ROUTINE),
        ("as a kid I broke my collarbone falling off a trampoline, now my neck aches", Urgency.ROUTINE),
        # Hypothetical and general questions.
        ("if I got double vision after botox, would that be an emergency?", Urgency.ROUTINE),
        ("what counts as the worst headache of your life?", Urgency.ROUTINE),
        ("asking for a school project: what are the signs of meningitis?", Urgency.ROUTINE),
        # "If I've got ..." is a fact, not a hypothesis.
        (
            "should i still go to my botox appointment if ive got a temperature of 39 and a stiff neck",
            Urgency.EMERGENCY,
        ),
        # A sign that came and went still counts (a mini-stroke).
        ("my face went droopy for ten minutes and now it's back to normal", Urgency.EMERGENCY),
        # Figures of speech.
        ("so much info about botox my head is going to explode lol", Urgency.ROUTINE),
        ("I could murder a cup of tea, my neck is stiff", Urgency.ROUTINE),
        ("my legs turned to jelly when I saw the price of physio", Urgency.ROUTINE),
        # A harmless cause explains the sign.
        ("woke up with a dead arm because I slept on it", Urgency.ROUTINE),
        # "but" ends a denial; a benign explanation reads past it.
        ("no fever but my neck is stiff and I'm burning up", Urgency.EMERGENCY),
        ("lost 5kg this year but that's because I've been dieting, neck a bit sore", Urgency.ROUTINE),
    ],
)
def test_context_decides_whether_a_sign_counts(detector, text, urgency):
    assert detector.assess(text).urgency is urgency


@pytest.mark.parametrize(
    "text, urgency",
    [
        ("stif neck and feaver", Urgency.EMERGENCY),
        ("had a siezure and my head hurts", Urgency.EMERGENCY),
        ("ALL OF A SUDDEN I CANT SEE OUT OF MY LEFT EYE", Urgency.EMERGENCY),
    ],
)
def test_typos_and_capitals_are_understood(detector, text, urgency):
    assert detector.assess(text).urgency is urgency


def test_a_typo_is_fixed_only_towards_a_single_close_sign_word():
    fixer = TypoFixer(["stiff", "seizure", "fever", "fewer"])
    assert fixer("stif") == "stiff"
    assert fixer("siezure") == "seizure"
    assert fixer("drum") == "drum"  # an English word is never a typo
    assert fixer("stiffness") == "stiffness"


@pytest.mark.parametrize(
    "text, answer",
    [
        ("yes it was very sudden", "yes"),
        ("no, i have a temperature of 39", "no"),
        ("not sure", "unsure"),
        ("kind of, it built up over a day", "unsure"),
        ("about 2 weeks", None),
        ("what is botox", None),
    ],
)
def test_yes_no_and_not_sure_are_read_from_free_text(detector, text, answer):
    assert detector.assess(text).answer == answer


@pytest.mark.parametrize(
    "text, question",
    [
        ("i have a fever and a bad headache", "fever_check"),
        ("I'm 30 weeks pregnant and have a headache", "pregnancy_check"),
        ("my mum had a fall yesterday", "fall_check"),
        ("dizzy and my neck hurts", "dizziness_check"),
        # Denied, or already an emergency: no question.
        ("I'm 12 weeks pregnant with a tension headache, vision fine, no swelling", None),
        ("I'm 30 weeks pregnant with a headache and my face has puffed up", None),
    ],
)
def test_signs_the_message_does_not_settle_get_one_targeted_question(detector, text, question):
    found = detector.assess(text).question
    assert (found.id if found else None) == question


def test_signs_across_messages_combine_and_a_later_denial_cancels():
    assert conversation_concepts([({"stiff_neck"}, set()), ({"fever"}, set())]) == {"stiff_neck", "fever"}
    assert conversation_concepts([({"fever"}, set()), (set(), {"fever"})]) == frozenset()
    flags = default_warning_signs().flags_for(conversation_concepts([({"stiff_neck"}, set()), ({"fever"}, set())]))
    assert flags[0].id == "meningitis_signs"


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
        ("it did not come on suddenly", {"sudden_onset"}),
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
    assert detector.assess(text).urgency is Urgency.EMERGENCY


def read(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_unknown_concept_in_a_flag_is_a_clear_error():
    flags = read(RED_FLAGS_PATH)
    flags["red_flags"][0]["when"] = [["thunderclap_word", "unicorn_sighting"]]
    with pytest.raises(RedFlagError, match="red flag 'thunderclap_headache': unknown concept 'unicorn_sighting'"):
        parse_warning_signs(read(SIGNS_PATH), flags, read(CONTEXT_PATH))


def test_a_question_must_raise_a_known_flag():
    flags = read(RED_FLAGS_PATH)
    flags["questions"][0]["if_yes"] = "no_such_flag"
    with pytest.raises(RedFlagError, match="unknown red flag 'no_such_flag'"):
        parse_warning_signs(read(SIGNS_PATH), flags, read(CONTEXT_PATH))


def test_two_context_rules_for_the_same_words_are_refused():
    context = read(CONTEXT_PATH)
    context["rules"].append({"category": "HISTORICAL", "direction": "FORWARD", "phrases": ["no"]})
    signs = parse_warning_signs(read(SIGNS_PATH), read(RED_FLAGS_PATH), context)
    with pytest.raises(RedFlagError, match="match the same words"):
        SignDetector(signs)
