"""Load and validate the topic catalogue (catalogue/topics.yml), the single source of truth for topics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "catalogue" / "topics.yml"

ENTITY_LABELS = ("symptom", "body_part", "treatment")
REQUIRED_TOPIC_FIELDS = (
    "id",
    "title",
    "get_help_now",
    "sources",
    "summary",
    "key_points",
    "related",
    "doctor_questions",
    "terms",
)


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the topic and the problem."""


@dataclass(frozen=True)
class Source:
    """An article as it is cited: title, publishing site and date."""

    key: str
    title: str
    site: str
    date: str


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    sources: tuple[Source, ...]
    summary: str
    key_points: tuple[str, ...]
    related: tuple[str, ...]
    # Questions the person could ask a doctor about this topic (the visit summary offers them).
    doctor_questions: tuple[str, ...]
    terms: Mapping[str, tuple[str, ...]]
    # One line: when to get help now instead of reading on (catalogue `get_help_now`).
    get_help_now: str = ""

    @property
    def source_titles(self) -> str:
        """The article titles in quotes, joined for a 'Source:' line."""
        return " and ".join(f'"{source.title}"' for source in self.sources)


# eq=False: compared and hashed by identity, so helpers can cache per catalogue.
@dataclass(frozen=True, eq=False)
class Catalogue:
    sources: Mapping[str, Source]
    topics: tuple[Topic, ...]
    shared_terms: Mapping[str, tuple[str, ...]]
    messages: Mapping[str, str]
    # Questions for a doctor that fit any conversation.
    general_doctor_questions: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [topic.id for topic in self.topics]

    def get(self, topic_id: str | None) -> Topic | None:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def __getitem__(self, topic_id: str) -> Topic:
        topic = self.get(topic_id)
        if topic is None:
            raise KeyError(topic_id)
        return topic

    def term_labels(self) -> dict[str, str]:
        """Every recognised term (lower case) with its entity label, from topics and shared terms."""
        labels: dict[str, str] = {}
        for label in ENTITY_LABELS:
            for term in self.shared_terms.get(label, ()):
                labels[term.lower()] = label
        for topic in self.topics:
            for label, terms in topic.terms.items():
                for term in terms:
                    labels[term.lower()] = label
        return labels


def _require(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise CatalogueError(f"{where}: {problem}")


def _text_list(value: object, where: str, field: str) -> tuple[str, ...]:
    _require(
        isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value),
        where,
        f"'{field}' must be a non-empty list of texts",
    )
    return tuple(v.strip() for v in value)  # type: ignore[union-attr]


def _parse_topic(raw: object, index: int, sources: Mapping[str, Source], help_lines: Mapping[str, str]) -> Topic:
    where = f"topic #{index + 1}"
    _require(isinstance(raw, dict), where, "must be a mapping")
    assert isinstance(raw, dict)
    if isinstance(raw.get("id"), str):
        where = f"topic '{raw['id']}'"
    for field in REQUIRED_TOPIC_FIELDS:
        _require(field in raw and raw[field] not in (None, ""), where, f"missing field '{field}'")
    topic_id = raw["id"]
    _require(
        isinstance(topic_id, str) and topic_id.isidentifier() and topic_id.islower(),
        where,
        "'id' must be a lower-case identifier",
    )
    for field in ("title", "summary"):
        _require(isinstance(raw[field], str), where, f"'{field}' must be a text")
    source_keys = _text_list(raw["sources"], where, "sources")
    for key in source_keys:
        _require(key in sources, where, f"unknown source '{key}'")
    _require(raw["get_help_now"] in help_lines, where, f"unknown get_help_now '{raw['get_help_now']}'")
    terms = raw["terms"]
    _require(isinstance(terms, dict), where, "'terms' must map entity labels to lists of terms")
    for label in terms:
        _require(label in ENTITY_LABELS, where, f"unknown term label '{label}' (use {', '.join(ENTITY_LABELS)})")
    return Topic(
        id=topic_id,
        title=raw["title"].strip(),
        sources=tuple(sources[key] for key in source_keys),
        summary=" ".join(raw["summary"].split()),
        key_points=_text_list(raw["key_points"], where, "key_points"),
        related=_text_list(raw["related"], where, "related"),
        doctor_questions=_text_list(raw["doctor_questions"], where, "doctor_questions"),
        terms={label: _text_list(values, where, f"terms.{label}") for label, values in terms.items()},
        get_help_now=help_lines[raw["get_help_now"]],
    )


def parse_catalogue(data: object) -> Catalogue:
    """Build a validated Catalogue from the parsed YAML document."""
    _require(isinstance(data, dict), "catalogue", "must be a mapping with 'sources' and 'topics'")
    assert isinstance(data, dict)
    raw_sources = data.get("sources")
    _require(isinstance(raw_sources, dict) and raw_sources, "catalogue", "missing 'sources'")
    sources = {}
    for key, raw in raw_sources.items():
        _require(
            isinstance(raw, dict) and raw.get("title") and raw.get("site") and raw.get("date"),
            f"source '{key}'",
            "needs 'title', 'site' and 'date'",
        )
        sources[key] = Source(key=key, title=raw["title"], site=raw["site"], date=raw["date"])
    help_lines = data.get("get_help_now") or {}
    _require(isinstance(help_lines, dict) and help_lines, "catalogue", "missing 'get_help_now'")
    raw_topics = data.get("topics")
    _require(isinstance(raw_topics, list) and raw_topics, "catalogue", "missing 'topics'")
    topics = tuple(_parse_topic(raw, i, sources, help_lines) for i, raw in enumerate(raw_topics))

    ids = [topic.id for topic in topics]
    for topic in topics:
        _require(ids.count(topic.id) == 1, f"topic '{topic.id}'", "is defined more than once")
        for related in topic.related:
            _require(related in ids, f"topic '{topic.id}'", f"unknown related topic '{related}'")
            _require(related != topic.id, f"topic '{topic.id}'", "lists itself as related")

    # A term must mean the same kind of thing everywhere, or the entity ruler would be ambiguous.
    seen: dict[str, tuple[str, str]] = {}
    for topic in topics:
        for label, terms in topic.terms.items():
            for term in terms:
                previous = seen.setdefault(term.lower(), (label, topic.id))
                _require(
                    previous[0] == label,
                    f"topic '{topic.id}'",
                    f"term '{term}' is a {label} here but a {previous[0]} in topic '{previous[1]}'",
                )

    shared = data.get("shared_terms") or {}
    _require(isinstance(shared, dict), "catalogue", "'shared_terms' must be a mapping")
    messages = data.get("messages") or {}
    _require(isinstance(messages, dict), "catalogue", "'messages' must be a mapping")
    return Catalogue(
        sources=sources,
        topics=topics,
        shared_terms={label: _text_list(values, "shared_terms", label) for label, values in shared.items()},
        messages={key: " ".join(str(value).split()) for key, value in messages.items()},
        general_doctor_questions=_text_list(
            data.get("general_doctor_questions"), "catalogue", "general_doctor_questions"
        ),
    )


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and validate a catalogue file."""
    with open(path, encoding="utf-8") as handle:
        return parse_catalogue(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The project's catalogue, loaded once per process."""
    return load_catalogue()
