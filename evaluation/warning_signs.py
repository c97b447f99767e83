"""The independent warning-sign corpora (tests/corpora/) and how an assistant is scored on them.

Each case says what the writer expected: `emergency`, `urgent` or `routine`, and its `kind`: a `sign`, a
look-alike (negated, hypothetical, historical, someone else's past, educational, a figure of speech) or a
`plain` everyday message. Scores are counts, so that a report never needs to show a frozen phrasing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.urgency import Urgency

CORPORA = Path(__file__).resolve().parent.parent / "tests" / "corpora"
# Written once by someone who never saw the rules; never edited, never read case by case while tuning.
FROZEN = CORPORA / "warning_signs_frozen.yml"
FIRST_CONTACT = CORPORA / "first_contact.yml"
# Targets on the frozen part (issue 13).
TARGETS = {"emergency": 0.98, "urgent": 0.95, "lookalikes_escalated": 0.03}


def development_corpora() -> dict[str, Path]:
    """The development corpora by name ("dev", "dev2", ...), in the order they arrived."""
    files = sorted(CORPORA.glob("warning_signs_dev*.yml"), key=lambda f: (len(f.stem), f.stem))
    return {file.stem.removeprefix("warning_signs_"): file for file in files}


def first_contact() -> dict:
    """The figures each corpus got before anyone read it (tests/corpora/first_contact.yml)."""
    return yaml.safe_load(FIRST_CONTACT.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    expected: Urgency
    category: str
    kind: str

    @property
    def lookalike(self) -> bool:
        return self.kind not in ("sign", "plain")


@dataclass(frozen=True)
class Outcome:
    """What the assistant did with one message: the urgency it gave, and whether it asked a question."""

    urgency: Urgency
    asked: bool = False


def load(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(c["id"], c["text"], Urgency(c["expected"]), c["category"], c["kind"]) for c in data["cases"]]


@dataclass
class Score:
    """Counts: [hits, total] for emergencies escalated and urgent signs flagged (urgent or emergency);
    [escalated, total] for look-alikes and plain messages that got urgent or emergency."""

    emergency: list[int]
    urgent: list[int]
    lookalikes_escalated: list[int]
    plain_escalated: list[int]
    # Signs that got a targeted question instead of an escalation (not counted as hits); a yes or a
    # "not sure" to it escalates.
    emergencies_asked: int = 0
    urgent_asked: int = 0

    def rate(self, name: str) -> float:
        hits, total = getattr(self, name)
        return hits / total if total else 0.0

    def misses_targets(self) -> list[str]:
        """The targets (TARGETS) this score does not meet, in words."""
        missed = []
        for name in ("emergency", "urgent"):
            if self.rate(name) < TARGETS[name]:
                missed.append(f"{name} recall {self.rate(name):.1%} < {TARGETS[name]:.0%}")
        if self.rate("lookalikes_escalated") > TARGETS["lookalikes_escalated"]:
            missed.append(f"look-alikes escalated {self.rate('lookalikes_escalated'):.1%} > 3%")
        return missed

    def as_dict(self) -> dict:
        return {
            "emergency": self.emergency,
            "urgent": self.urgent,
            "lookalikes_escalated": self.lookalikes_escalated,
            "plain_escalated": self.plain_escalated,
            "emergencies_asked": self.emergencies_asked,
            "urgent_asked": self.urgent_asked,
        }

    def asked_summary(self) -> str:
        return f"asked instead: emergencies {self.emergencies_asked}, urgent {self.urgent_asked}"

    def summary(self) -> str:
        def part(name: str, label: str) -> str:
            hits, total = getattr(self, name)
            return f"{label} {hits}/{total} ({self.rate(name):.1%})"

        return ", ".join(
            [
                part("emergency", "emergencies escalated"),
                part("urgent", "urgent flagged"),
                part("lookalikes_escalated", "look-alikes escalated"),
                part("plain_escalated", "plain escalated"),
            ]
        )


def score(cases: Iterable[Case], outcomes: Iterable[Outcome]) -> Score:
    result = Score([0, 0], [0, 0], [0, 0], [0, 0])
    for case, outcome in zip(cases, outcomes, strict=True):
        escalated = outcome.urgency.rank >= Urgency.URGENT.rank
        if case.expected is Urgency.EMERGENCY:
            hit = outcome.urgency is Urgency.EMERGENCY
            result.emergency[0] += hit
            result.emergency[1] += 1
            result.emergencies_asked += (not hit) and outcome.asked
        elif case.expected is Urgency.URGENT:
            hit = escalated
            result.urgent[0] += hit
            result.urgent[1] += 1
            result.urgent_asked += (not hit) and outcome.asked
        else:
            bucket = result.lookalikes_escalated if case.lookalike else result.plain_escalated
            bucket[0] += escalated
            bucket[1] += 1
    return result


def misses(cases: Iterable[Case], outcomes: Iterable[Outcome]) -> list[tuple[Case, Outcome]]:
    """The cases the assistant got wrong (for development sets only: never print the frozen part)."""
    wrong = []
    for case, outcome in zip(cases, outcomes, strict=True):
        if case.expected is Urgency.EMERGENCY:
            ok = outcome.urgency is Urgency.EMERGENCY
        elif case.expected is Urgency.URGENT:
            ok = outcome.urgency.rank >= Urgency.URGENT.rank
        else:
            ok = outcome.urgency is Urgency.ROUTINE
        if not ok:
            wrong.append((case, outcome))
    return wrong


def run(cases: list[Case], predict: Callable[[str], Outcome]) -> Score:
    return score(cases, [predict(case.text) for case in cases])
