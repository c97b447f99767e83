"""Warning signs as data: the concepts people mention, the red flags they combine into, and the targeted
questions asked when a message does not settle a flag. Pure Python: the action server, the NLU component
and the dialogue policy all read the same definitions.

catalogue/signs.yml holds the concepts (with the phrases that the NLU layer matches), catalogue/red_flags.yml
the flags and questions, catalogue/context.yml the ConText rules that decide whether a mention counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.urgency import Urgency

CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue"
SIGNS_PATH = CATALOGUE / "signs.yml"
SIGN_WORDS_PATH = CATALOGUE / "sign_words.yml"
RED_FLAGS_PATH = CATALOGUE / "red_flags.yml"
CONTEXT_PATH = CATALOGUE / "context.yml"
ANSWERS_PATH = CATALOGUE / "answers.yml"
# The answers a yes/no question can get, keyed as in catalogue/answers.yml.
ANSWERS = {"unsure": "unsure", "affirm": "yes", "deny": "no"}
DOSE_REQUEST = "dose_request"
# The response that words a flag, by urgency, unless the flag names its own (self-harm: crisis support).
DEFAULT_RESPONSES = {Urgency.EMERGENCY: "utter_emergency", Urgency.URGENT: "utter_urgent_advice"}


class RedFlagError(ValueError):
    """A warning-sign data file is malformed; the message names the entry and the problem."""


@dataclass(frozen=True)
class Concept:
    """Something people mention ("a stiff neck"), with the options that decide when a mention counts."""

    name: str
    phrases: tuple[str, ...] = ()
    patterns: tuple = ()
    implies: tuple[str, ...] = ()
    masks: tuple[str, ...] = ()
    history_counts: bool = False
    transient_counts: bool = False
    hypothetical_counts: bool = False
    event: bool = False
    describes: bool = False
    # Phrases match as written, without inflections (figures of speech: "spot on" is not "spots on").
    exact: bool = False
    # A figure of speech hides every concept its words overlap, not only the ones it names.
    masks_all: bool = False
    number: tuple[float, float] | None = None


@dataclass(frozen=True)
class RedFlag:
    id: str
    urgency: Urgency
    says: str
    advice: str
    sources: tuple[str, ...]
    when: tuple[frozenset[str], ...]
    response: str

    def raised_by(self, present: set[str] | frozenset[str]) -> frozenset[str] | None:
        """The first combination of concepts that raises this flag, if all of them are present."""
        return next((combination for combination in self.when if combination <= present), None)


@dataclass(frozen=True)
class Question:
    """One yes/no question for a sign the message mentions but does not settle; a yes raises `if_yes`."""

    id: str
    text: str
    when: tuple[frozenset[str], ...]
    asks_about: frozenset[str]
    if_yes: str


@dataclass(frozen=True, eq=False)
class WarningSigns:
    concepts: Mapping[str, Concept]
    flags: tuple[RedFlag, ...]
    questions: tuple[Question, ...]
    sources: Mapping[str, str]
    context_rules: tuple[Mapping, ...] = field(default=())
    # catalogue/context.yml, `general_questions`: {"openers": [...], "present": [...]}
    general_questions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # catalogue/answers.yml, by answer: {"unsure": [...], "yes": [...], "no": [...]}
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # catalogue/signs.yml, `spellings`: other spellings of ordinary words ({"heid": "head"}).
    spellings: Mapping[str, str] = field(default_factory=dict)

    def flag(self, flag_id: str) -> RedFlag:
        return next(flag for flag in self.flags if flag.id == flag_id)

    def question(self, question_id: str) -> Question | None:
        return next((question for question in self.questions if question.id == question_id), None)

    def flags_for(self, present: Iterable[str]) -> tuple[RedFlag, ...]:
        """Every red flag raised by these present concepts, most urgent first."""
        present = frozenset(present)
        raised = [flag for flag in self.flags if flag.raised_by(present) is not None]
        return tuple(sorted(raised, key=lambda flag: -flag.urgency.rank))

    def question_for(self, present: Iterable[str], absent: Iterable[str] = ()) -> Question | None:
        """The targeted question for signs the message mentions but does not settle, if any.

        None when an emergency flag is already raised, when the question's flag is raised, or when the
        message already denies what the question asks about."""
        present, absent = frozenset(present), frozenset(absent)
        raised = self.flags_for(present)
        if any(flag.urgency is Urgency.EMERGENCY for flag in raised):
            return None
        raised_ids = {flag.id for flag in raised}
        for question in self.questions:
            if question.if_yes in raised_ids or question.asks_about & absent:
                continue
            if any(combination <= present for combination in question.when):
                return question
        return None


def conversation_concepts(messages: Iterable[tuple[Iterable[str], Iterable[str]]]) -> frozenset[str]:
    """The concepts present across a conversation, from each message's (present, denied) concepts in
    order: a later denial ("no fever now") cancels an earlier mention, a later mention brings it back."""
    present: set[str] = set()
    for mentioned, denied in messages:
        present -= set(denied)
        present |= set(mentioned)
    return frozenset(present)


def urgency_of(flags: Iterable[RedFlag]) -> Urgency:
    return Urgency.highest(flag.urgency for flag in flags)


def describe(flags: Iterable[RedFlag]) -> str:
    """'a and b' from the flags' plain-language descriptions."""
    says = list(dict.fromkeys(flag.says for flag in flags))
    if not says:
        return ""
    return says[0] if len(says) == 1 else ", ".join(says[:-1]) + " and " + says[-1]


def advice(flags: Iterable[RedFlag]) -> str:
    """The advice lines of the most urgent flags, each once."""
    flags = list(flags)
    top = urgency_of(flags)
    return " ".join(dict.fromkeys(flag.advice for flag in flags if flag.urgency is top))


def _require(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise RedFlagError(f"{where}: {problem}")


def _parse_concept(name: str, raw: Mapping) -> Concept:
    where = f"concept '{name}'"
    _require(isinstance(raw, Mapping), where, "must be a mapping")
    number = raw.get("number")
    if number is not None:
        _require(isinstance(number, Mapping) and {"min", "max"} <= set(number), where, "'number' needs min and max")
        number = (float(number["min"]), float(number["max"]))
    return Concept(
        name=name,
        phrases=tuple(raw.get("phrases") or ()),
        patterns=tuple(raw.get("patterns") or ()),
        implies=tuple(raw.get("implies") or ()),
        masks=tuple(raw.get("masks") or ()),
        history_counts=bool(raw.get("history_counts")),
        transient_counts=bool(raw.get("transient_counts")),
        hypothetical_counts=bool(raw.get("hypothetical_counts")),
        event=bool(raw.get("event")),
        describes=bool(raw.get("describes")),
        masks_all=bool(raw.get("masks_all")),
        number=number,
    )


def _combinations(raw: object, where: str, known: set[str]) -> tuple[frozenset[str], ...]:
    if raw is None:
        return ()  # raised only by a yes to a question / asked only when the statistical net is unsure
    _require(isinstance(raw, list) and raw, where, "'when' must be a non-empty list of concept lists")
    combinations = []
    for alternative in raw:
        _require(isinstance(alternative, list) and alternative, where, "each 'when' entry must list concepts")
        for concept in alternative:
            _require(concept in known, where, f"unknown concept '{concept}'")
        combinations.append(frozenset(alternative))
    return tuple(combinations)


def _with_words(concepts: dict[str, Concept], words: Mapping) -> dict[str, Concept]:
    """Add the lay expressions of sign_words.yml to their concepts; each concept's figures of speech become
    a concept of their own that hides it ("could murder a cup of tea" is not self-harm)."""
    merged = dict(concepts)
    for name, entry in (words.get("concepts") or {}).items():
        _require(name in concepts, f"sign words '{name}'", "unknown concept")
        expressions = tuple(str(e) for e in entry.get("expressions") or ())
        merged[name] = replace(merged[name], phrases=merged[name].phrases + expressions)
        figures = tuple(str(f) for f in entry.get("figures_of_speech") or ())
        if figures:
            merged[f"{name}_figure"] = Concept(
                name=f"{name}_figure", phrases=figures, masks=(name,), exact=True, masks_all=True
            )
    return merged


def parse_warning_signs(
    signs: Mapping,
    red_flags: Mapping,
    context: Mapping | None = None,
    answers: Mapping | None = None,
    words: Mapping | None = None,
) -> WarningSigns:
    """Build validated warning-sign definitions from the parsed YAML documents."""
    raw_concepts = signs.get("concepts")
    _require(isinstance(raw_concepts, Mapping) and raw_concepts, "signs", "missing 'concepts'")
    concepts = _with_words({name: _parse_concept(name, raw) for name, raw in raw_concepts.items()}, words or {})
    # A concept that is only ever implied ("injury", implied by a fall or a knock) is a concept too.
    known = set(concepts) | set(itertools.chain.from_iterable(c.implies + c.masks for c in concepts.values()))
    for concept in concepts.values():
        for other in concept.implies + concept.masks:
            _require(other != concept.name, f"concept '{concept.name}'", "implies or masks itself")

    sources = red_flags.get("sources") or {}
    flags = []
    for raw in red_flags.get("red_flags") or ():
        where = f"red flag '{raw.get('id', '?')}'"
        for key in ("id", "urgency", "says", "advice", "sources"):
            _require(raw.get(key), where, f"missing '{key}'")
        _require(raw["urgency"] in ("urgent", "emergency"), where, "urgency must be urgent or emergency")
        for source in raw["sources"]:
            _require(source in sources, where, f"unknown source '{source}'")
        urgency = Urgency(raw["urgency"])
        flags.append(
            RedFlag(
                id=raw["id"],
                urgency=urgency,
                says=raw["says"],
                advice=raw["advice"],
                sources=tuple(raw["sources"]),
                when=_combinations(raw.get("when"), where, known),
                response=raw.get("response") or DEFAULT_RESPONSES[urgency],
            )
        )
    ids = [flag.id for flag in flags]
    _require(len(ids) == len(set(ids)), "red flags", "an id is used twice")

    questions = []
    for raw in red_flags.get("questions") or ():
        where = f"question '{raw.get('id', '?')}'"
        for key in ("id", "text", "asks_about", "if_yes"):
            _require(raw.get(key), where, f"missing '{key}'")
        _require(raw["if_yes"] in ids, where, f"unknown red flag '{raw['if_yes']}'")
        for concept in raw["asks_about"]:
            _require(concept in known, where, f"unknown concept '{concept}'")
        questions.append(
            Question(
                id=raw["id"],
                text=" ".join(raw["text"].split()),
                when=_combinations(raw.get("when"), where, known),
                asks_about=frozenset(raw["asks_about"]),
                if_yes=raw["if_yes"],
            )
        )
    context = context or {}
    general = {key: tuple(words) for key, words in (context.get("general_questions") or {}).items()}
    return WarningSigns(
        concepts=concepts,
        flags=tuple(flags),
        questions=tuple(questions),
        sources=sources,
        context_rules=tuple(context.get("rules") or ()),
        general_questions=general,
        answers={answer: tuple((answers or {}).get(key) or ()) for key, answer in ANSWERS.items()},
        spellings=_spellings(signs.get("spellings") or {}),
    )


def _spellings(raw: Mapping) -> dict[str, str]:
    for word, meant in raw.items():
        # YAML reads a bare off, no or yes as a boolean: such words need quotes.
        _require(isinstance(word, str) and isinstance(meant, str), f"spelling '{word}'", "quote both words")
    return {word.lower(): meant.lower() for word, meant in raw.items()}


def _read(path: Path) -> Mapping:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_warning_signs(
    signs: Path = SIGNS_PATH,
    red_flags: Path = RED_FLAGS_PATH,
    context: Path = CONTEXT_PATH,
    answers: Path = ANSWERS_PATH,
    words: Path = SIGN_WORDS_PATH,
) -> WarningSigns:
    return parse_warning_signs(_read(signs), _read(red_flags), _read(context), _read(answers), _read(words))


@lru_cache(maxsize=1)
def default_warning_signs() -> WarningSigns:
    """The project's warning signs, loaded once per process."""
    return load_warning_signs()
