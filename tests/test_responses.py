"""What the assistant can say: never a dose, always a doctor, emergencies unmistakable."""

from __future__ import annotations

from evaluation.expectations import DOMAIN, DOSE
from knowledge.red_flags import default_warning_signs
from knowledge.topic_messages import key_points_text, summary_variations


def every_text(catalogue) -> list[str]:
    texts = [v["text"] for variations in DOMAIN["responses"].values() for v in variations if "text" in v]
    texts += list(catalogue.messages.values())
    for topic in catalogue.topics:
        texts += [*summary_variations(topic), key_points_text(topic)]
    return texts


def test_no_reply_ever_contains_a_dose(catalogue):
    texts = every_text(catalogue)
    assert len(texts) > 50
    assert [text for text in texts if DOSE.search(text)] == []


def test_the_dose_pattern_would_catch_a_dose():
    assert DOSE.search("inject 50 units into each side") and DOSE.search("take 10mg twice a day")


def test_every_doctor_prompt_says_doctor():
    assert all("doctor" in v["text"] for v in DOMAIN["responses"]["utter_see_doctor"])


def test_emergency_messages_name_the_emergency_numbers_and_say_now():
    emergency = [v["text"] for v in DOMAIN["responses"]["utter_emergency"] if not v.get("condition")]
    emergency += [v["text"] for v in DOMAIN["responses"]["utter_triage_result"] if "emergency" in str(v["condition"])]
    for text in emergency:
        assert "EMERGENCY" in text and "911" in text and "112" in text and "999" in text and "now" in text


def test_crisis_support_gives_the_crisis_lines_and_says_now():
    crisis = [v for v in DOMAIN["responses"]["utter_emergency"] if v.get("condition")]
    assert [v["condition"] for v in crisis] == [[{"type": "slot", "name": "crisis", "value": True}]]
    self_harm = default_warning_signs().flag("self_harm")
    assert "{warning_advice}" in crisis[0]["text"] and "now" in crisis[0]["text"]
    assert all(line in self_harm.advice for line in ("116 123", "988", "emergency number"))


def test_triage_result_has_a_variation_for_every_urgency():
    values = {v["condition"][0]["value"] for v in DOMAIN["responses"]["utter_triage_result"]}
    assert values == set(DOMAIN["slots"]["urgency"]["values"])
