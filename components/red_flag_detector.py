"""Deterministic detection of warning signs, negation-aware, built on spaCy and negspacy's NegEx.

The rules live in catalogue/red_flags.yml. A small spaCy pipeline (English tokenizer, sentencizer and
negspacy's `negex` with its clinical NegEx termset plus our additions) finds the negation triggers and
their scope; a spaCy Matcher finds the concepts (they may overlap: "trouble speaking and swallowing"
is both). A concept is negated when a trigger precedes it within WINDOW tokens of the same clause
("no fever", "I don't have any numbness", "my friend had ..."), follows it ("... years ago"), or sits
inside its own span ("my neck isn't stiff"). Triggers that are part of a concept ("can't breathe") never
negate anything else. A red flag is raised when every concept of one of its alternatives is present
and not negated.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
from negspacy.termsets import termset
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from actions.terms import word_variants

RED_FLAGS_PATH = Path(__file__).resolve().parent.parent / "catalogue" / "red_flags.yml"
URGENCY_ORDER = ("routine", "urgent", "emergency")
DOSE_LABEL = "dose_request"
GAP = [{"OP": "?"}] * 4  # `*` in a phrase: up to four other words
WINDOW = 8  # how many tokens a negation trigger reaches (NegEx uses a similar window)


class RedFlagError(ValueError):
    """catalogue/red_flags.yml is malformed."""


@dataclass(frozen=True)
class Sign:
    """A concept found in the message: `negated` covers "no X", "never X" and other people's X."""

    concept: str
    text: str
    negated: bool
    # Character offsets of `text` in the message.
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class RedFlag:
    id: str
    urgency: str
    says: str
    when: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Assessment:
    signs: tuple[Sign, ...]
    flags: tuple[RedFlag, ...]
    dose_request: bool

    @property
    def urgency(self) -> str:
        return max((flag.urgency for flag in self.flags), key=URGENCY_ORDER.index, default="routine")

    @property
    def present(self) -> set[str]:
        return {sign.concept for sign in self.signs if not sign.negated}

    @property
    def absent(self) -> set[str]:
        """Concepts the message explicitly denies (and does not also affirm)."""
        return {sign.concept for sign in self.signs if sign.negated} - self.present


def _token_alternatives(nlp: Language, part: str) -> list[list[dict]]:
    """Token patterns for one position of a phrase: `a|b`, `~exact`, or a word with its inflections."""
    alternatives = []
    options = part.split("|")
    # People often type contractions without the apostrophe ("cant", "doesnt").
    options += [option.replace("'", "") for option in options if "'" in option]
    for option in options:
        exact = option.startswith("~")
        tokens = nlp.make_doc(option.lstrip("~").replace("_", " ").lower())
        alternatives.append(
            [{"LOWER": token.text} if exact else {"LOWER": {"IN": word_variants(token.text)}} for token in tokens]
        )
    # Single-token options share one position; each multi-token option becomes its own branch.
    single = sorted({value for alt in alternatives if len(alt) == 1 for value in _values(alt[0])})
    branches = [alt for alt in alternatives if len(alt) > 1]
    if single:
        branches.append([{"LOWER": {"IN": single}}])
    return branches


def _values(token_pattern: dict) -> list[str]:
    value = token_pattern["LOWER"]
    return value["IN"] if isinstance(value, dict) else [value]


def phrase_patterns(nlp: Language, phrase: str) -> list[list[dict]]:
    """Expand one phrase of the mini-language into spaCy token patterns."""
    positions = []
    for part in phrase.split():
        positions.append([list(GAP)] if part == "*" else _token_alternatives(nlp, part))
    return [list(itertools.chain.from_iterable(combo)) for combo in itertools.product(*positions)]


def _termset(config: dict[str, Any]) -> dict[str, list[str]]:
    """negspacy's clinical NegEx termset plus the everyday-language additions from the data file."""
    terms = termset("en_clinical")
    others = config.get("others", {})

    def with_plain(phrases: Iterable[str]) -> list[str]:
        phrases = list(phrases)  # people often drop the apostrophe: "havent", "isnt"
        return phrases + [p.replace("'", "") for p in phrases if "'" in p]

    people_phrases = [
        f"{owner} {person} {verb}"
        for owner in ("my", "a", "our")
        for person in others.get("people", [])
        for verb in others.get("verbs", [])
    ]
    terms.add_patterns(
        {
            "preceding_negations": with_plain(config.get("preceding", [])) + people_phrases,
            "following_negations": with_plain([*config.get("following", []), *config.get("historical", [])]),
            "pseudo_negations": with_plain(config.get("pseudo", [])),
            "termination": with_plain(config.get("termination", [])),
        }
    )
    return terms.get_patterns()


def parse_flag(raw: dict, concepts: Iterable[str]) -> RedFlag:
    flag = RedFlag(
        id=raw["id"],
        urgency=raw["urgency"],
        says=raw["says"],
        when=tuple(tuple(alternative) for alternative in raw["when"]),
    )
    if flag.urgency not in URGENCY_ORDER[1:]:
        raise RedFlagError(f"red flag '{flag.id}': urgency must be urgent or emergency")
    for concept in itertools.chain.from_iterable(flag.when):
        if concept not in concepts:
            raise RedFlagError(f"red flag '{flag.id}': unknown concept '{concept}'")
    return flag


@lru_cache(maxsize=1)
def load_flags(path: Path = RED_FLAGS_PATH) -> dict[str, RedFlag]:
    """The red flags by id, without building the spaCy pipeline (for the action server)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {raw["id"]: parse_flag(raw, data["concepts"]) for raw in data["red_flags"]}


class RedFlagDetector:
    """Finds warning signs and dose requests in a message; the same text always gives the same answer."""

    def __init__(self, path: Path = RED_FLAGS_PATH) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.concepts: dict[str, dict] = data["concepts"]
        self.flags = tuple(parse_flag(raw, self.concepts) for raw in data["red_flags"])
        self.nlp = self._build_pipeline(data)
        self.dose_matcher = Matcher(self.nlp.vocab)
        for phrase in data["dose_requests"]["phrases"]:
            self.dose_matcher.add(DOSE_LABEL, phrase_patterns(self.nlp, phrase))

    def _build_pipeline(self, data: dict) -> Language:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        negation = data.get("negation", {})
        self.negex = nlp.add_pipe("negex", config={"neg_termset": _termset(negation)})
        self.historical = {tuple(t.text for t in nlp.make_doc(p.lower())) for p in negation.get("historical", [])}
        self.concept_matcher = Matcher(nlp.vocab)
        for concept, spec in self.concepts.items():
            patterns = [p for phrase in spec.get("phrases", []) for p in phrase_patterns(nlp, phrase)]
            patterns += spec.get("patterns", [])
            self.concept_matcher.add(concept, patterns, greedy="LONGEST")
        return nlp

    def _qualifies(self, concept: str, span) -> bool:
        minimum = self.concepts[concept].get("number_at_least")
        if minimum is None:
            return True
        numbers = [int(t.text) for t in span if t.text.isdigit()]
        decades = [int(t.text.rstrip("s")) for t in span if t.text.endswith("s") and t.text[:-1].isdigit()]
        words = {"fifties": 50, "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90}
        values = numbers + decades + [words[t.lower_] for t in span if t.lower_ in words]
        return any(value >= minimum for value in values)

    def _negated(self, concept: str, start: int, end: int, triggers: dict, clause: tuple[int, int]) -> bool:
        spec = self.concepts[concept]
        for t_start, t_end in triggers["preceding"]:
            if clause[0] <= t_start and t_end <= start and start - t_end <= WINDOW:
                return True
        for t_start, _ in triggers["inside"]:
            if start < t_start < end and not spec.get("negation_in_phrase"):
                return True  # "my neck isn't stiff"
        for t_start, _, historical in triggers["following"]:
            if historical and spec.get("history_counts"):
                continue  # "cancer three years ago" is still a history of cancer
            if end <= t_start < clause[1] and t_start - end <= WINDOW:
                return True
        return False

    def signs(self, doc: Doc) -> list[Sign]:
        matches = [
            (self.nlp.vocab.strings[match_id], start, end)
            for match_id, start, end in self.concept_matcher(doc)
            if self._qualifies(self.nlp.vocab.strings[match_id], doc[start:end])
        ]
        # "hay fever" masks the "fever" inside it.
        masked = {
            (name, m_start, m_end)
            for concept, start, end in matches
            for name in self.concepts[concept].get("masks", [])
            for other, m_start, m_end in matches
            if other == name and start <= m_start and m_end <= end
        }
        matches = [match for match in matches if match not in masked]
        preceding, following, terminating = self.negex.process_negations(doc)

        def outside_concepts(trigger) -> bool:
            # A trigger inside a concept ("can't" in "can't breathe") is part of that concept.
            return not any(start <= trigger[1] and trigger[2] <= end for _, start, end in matches)

        triggers = {
            "inside": [(t[1], t[2]) for t in preceding],
            "preceding": [(t[1], t[2]) for t in preceding if outside_concepts(t)],
            "following": [
                (t[1], t[2], tuple(tok.lower_ for tok in doc[t[1] : t[2]]) in self.historical)
                for t in following
                if outside_concepts(t)
            ],
        }
        clauses = self.negex.termination_boundaries(doc, terminating)
        found = []
        for concept, start, end in matches:
            clause = next((c for c in clauses if c[0] <= start < c[1]), (0, len(doc)))
            negated = self._negated(concept, start, end, triggers, clause)
            for name in [concept, *self.concepts[concept].get("implies", [])]:
                span = doc[start:end]
                found.append(
                    Sign(concept=name, text=span.text, negated=negated, start=span.start_char, end=span.end_char)
                )
        return found

    def assess(self, text: str) -> Assessment:
        doc = self.nlp(text[:5000])  # warning signs are stated early; a 100 KB paste must stay fast
        signs = self.signs(doc)
        present = {sign.concept for sign in signs if not sign.negated}
        flags = tuple(
            flag for flag in self.flags if any(all(c in present for c in alternative) for alternative in flag.when)
        )
        return Assessment(signs=tuple(signs), flags=flags, dose_request=bool(self.dose_matcher(doc)))


@lru_cache(maxsize=1)
def default_detector() -> RedFlagDetector:
    return RedFlagDetector()


def describe(flags: Iterable[RedFlag]) -> str:
    """'a and b' from the flags' plain-language descriptions."""
    says = [flag.says for flag in flags]
    return says[0] if len(says) == 1 else ", ".join(says[:-1]) + " and " + says[-1]
