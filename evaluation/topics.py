"""The independent topic-understanding corpus (tests/corpora/topics_*.yml) and how a ranker is scored on
it: top-1 and top-3 accuracy, and how many messages got no topic at all. Counts only, so that a report
never needs to show a frozen phrasing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPORA = Path(__file__).resolve().parent.parent / "tests" / "corpora"
DEV = CORPORA / "topics_dev.yml"
# Written once by someone who never saw the training data; never edited, never read case by case.
FROZEN = CORPORA / "topics_frozen.yml"
FIRST_CONTACT = CORPORA / "topics_first_contact.yml"
# Targets on the frozen part (issue 14).
TARGETS = {"top1": 0.96, "top3": 0.995}


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    topic: str
    kind: str


def load(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(c["id"], c["text"], c["topic"], c["kind"]) for c in data["cases"]]


@dataclass
class Score:
    top1: list[int] = field(default_factory=lambda: [0, 0])
    top3: list[int] = field(default_factory=lambda: [0, 0])
    no_topic: list[int] = field(default_factory=lambda: [0, 0])

    def rate(self, name: str) -> float:
        hits, total = getattr(self, name)
        return hits / total if total else 0.0

    def as_dict(self) -> dict:
        return {"top1": self.top1, "top3": self.top3, "no_topic": self.no_topic}

    def summary(self) -> str:
        return ", ".join(
            f"{label} {getattr(self, name)[0]}/{getattr(self, name)[1]} ({self.rate(name):.1%})"
            for name, label in (("top1", "top-1"), ("top3", "top-3"), ("no_topic", "no topic"))
        )


def score(cases: Iterable[Case], rankings: Iterable[list[str]]) -> Score:
    result = Score()
    for case, ranking in zip(cases, rankings, strict=True):
        for name, hit in (
            ("top1", ranking[:1] == [case.topic]),
            ("top3", case.topic in ranking[:3]),
            ("no_topic", not ranking),
        ):
            getattr(result, name)[0] += hit
            getattr(result, name)[1] += 1
    return result


def run(cases: list[Case], rank: Callable[[str], list[str]]) -> Score:
    return score(cases, [rank(case.text) for case in cases])


def misses(cases: list[Case], rank: Callable[[str], list[str]]) -> list[tuple[Case, list[str]]]:
    """The development cases ranked wrong (never call this on the frozen part)."""
    return [(case, ranking) for case in cases if (ranking := rank(case.text))[:1] != [case.topic]]
