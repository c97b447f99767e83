"""What the assistant can say: never a dose, always a doctor, emergencies unmistakable."""

from __future__ import annotations

import re
from pathlib import Path

from evaluation.expectations import DOMAIN, DOSE
from knowledge.red_flags import default_warning_signs
from knowledge.responses import slot_defaults
from knowledge.topic_messages import key_points_text, summary_variations

ROOT = Path(__file__).resolve().parent.parent


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
    numbers = slot_defaults()["emergency_numbers"]
    assert all(number in numbers for number in ("911", "112", "999"))
    emergency = [v["text"] for v in DOMAIN["responses"]["utter_emergency"] if not v.get("condition")]
    emergency += [v["text"] for v in DOMAIN["responses"]["utter_triage_result"] if "emergency" in str(v["condition"])]
    for text in emergency:
        assert "EMERGENCY" in text and "{emergency_numbers}" in text and "now" in text


# Where the assistant's own words live; test corpora (people's phrasings) and docs are not its words.
GENERATED_WEB_MESSAGES = ROOT / "web" / "messages.js"  # made from domain.yml by `make build`
SPOKEN = ["domain.yml", "catalogue", "channels", "actions", "components", "knowledge", "web", "scripts"]


def test_the_emergency_numbers_are_written_once():
    # 911 and 112 stand for any copy of the list (999 also appears in the titles of the NHS pages cited).
    pattern = re.compile(r"\b(911|112)\b")
    files = [
        path
        for entry in SPOKEN
        for path in ([ROOT / entry] if (ROOT / entry).is_file() else (ROOT / entry).rglob("*"))
        if path.is_file()
        and "node_modules" not in path.parts
        and path.suffix in {".yml", ".py", ".js", ".html"}
        and path != GENERATED_WEB_MESSAGES
    ]
    found = {
        str(path.relative_to(ROOT)): len(pattern.findall(path.read_text(encoding="utf-8")))
        for path in files
        if pattern.search(path.read_text(encoding="utf-8"))
    }
    assert found == {"domain.yml": 2}, found


def test_crisis_support_gives_the_crisis_lines_and_says_now():
    crisis = [v for v in DOMAIN["responses"]["utter_emergency"] if v.get("condition")]
    assert [v["condition"] for v in crisis] == [[{"type": "slot", "name": "crisis", "value": True}]]
    self_harm = default_warning_signs().flag("self_harm")
    assert "{warning_advice}" in crisis[0]["text"] and "now" in crisis[0]["text"]
    assert all(line in self_harm.advice for line in ("116 123", "988", "emergency number"))


def test_triage_result_has_a_variation_for_every_urgency():
    values = {v["condition"][0]["value"] for v in DOMAIN["responses"]["utter_triage_result"]}
    assert values == set(DOMAIN["slots"]["urgency"]["values"])
