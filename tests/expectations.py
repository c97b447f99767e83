"""What every test expects of a reply, defined once: no dose, and the doctor prompts from domain.yml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
# The warning-sign table: text -> expected urgency, shared by the unit and end-to-end tests.
RED_FLAG_CASES = yaml.safe_load((ROOT / "tests" / "red_flag_cases.yml").read_text(encoding="utf-8"))["cases"]
DOCTOR_PROMPTS = {variation["text"] for variation in DOMAIN["responses"]["utter_see_doctor"]}
# A dose: a number with mg, ml or units.
DOSE = re.compile(r"\d+(\.\d+)?\s*(mg|milligrams?|ml|millilit(re|er)s?|units?|iu)\b", re.IGNORECASE)


def response_texts(name: str) -> set[str]:
    return {variation["text"] for variation in DOMAIN["responses"][name]}
