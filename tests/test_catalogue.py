"""The topic catalogue: the contract of topic ids, its content rules and its validation errors."""

from __future__ import annotations

import copy
import os
import re
from collections import deque
from pathlib import Path

import pytest
import yaml

from evaluation.expectations import DOSE
from knowledge.catalogue import CATALOGUE_PATH, REQUIRED_TOPIC_FIELDS, CatalogueError, parse_catalogue
from knowledge.topic_messages import key_points_text, summary_variations

# The topic ids are a contract shared with tests, tools and later issues.
CONTRACT_IDS = {
    "botox_neck_pain",
    "botox_risks",
    "botox_headache",
    "cervical_dystonia",
    "neck_muscle_spasms",
    "chronic_neck_pain",
    "cervicogenic_headache",
    "muscle_relaxants",
    "emg",
    "nerve_blocks",
    "physical_therapy",
    "alternative_therapies",
    "neck_stability",
    "cervical_disc",
    "whiplash",
    "arm_pain_pinched_nerve",
    "posture_and_sleep",
    "neck_muscles_and_migraine",
}


@pytest.fixture
def raw_catalogue() -> dict:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


def test_catalogue_has_exactly_the_contract_topics(catalogue):
    assert set(catalogue.ids) == CONTRACT_IDS


def test_every_topic_names_its_article(catalogue):
    for topic in catalogue.topics:
        assert topic.sources
        for text in summary_variations(topic):
            assert topic.sources[0].title in text


def test_every_cited_article_is_among_the_source_texts_when_they_are_given(catalogue):
    # The article texts are not part of the project; a reviewer who has them sets SOURCES_DIR.
    directory = os.environ.get("SOURCES_DIR")
    if not directory:
        pytest.skip("SOURCES_DIR is not set: the catalogue was not checked against the article texts")
    texts = [path.read_text(encoding="utf-8") for path in Path(directory).glob("*.txt")]
    assert texts, f"no .txt article in SOURCES_DIR={directory}"
    cited = {source.key: source for topic in catalogue.topics for source in topic.sources}
    for source in cited.values():
        assert any(source.title.lower() in text.lower() for text in texts), (
            f"{source.title!r} is in none of the articles"
        )


@pytest.mark.parametrize("topic_id", sorted(CONTRACT_IDS))
def test_summary_is_three_to_five_sentences_and_never_diagnoses(catalogue, topic_id):
    topic = catalogue[topic_id]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", topic.summary) if s]
    assert 3 <= len(sentences) <= 5, sentences
    for text in [*summary_variations(topic), key_points_text(topic)]:
        assert "may be relevant" in text or text.startswith("Key points")
        assert not re.search(r"\byou (have|suffer from)\b", text, re.IGNORECASE)
        assert not DOSE.search(text), "a reply must never contain a dose"


def test_every_topic_is_reachable_from_any_other_through_related_buttons(catalogue):
    for start in catalogue.ids:
        seen, queue = {start}, deque([start])
        while queue:
            for nxt in catalogue[queue.popleft()].related:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        assert seen == set(catalogue.ids), f"from {start} these are unreachable: {set(catalogue.ids) - seen}"


@pytest.mark.parametrize("field", REQUIRED_TOPIC_FIELDS[1:])
def test_missing_field_is_an_error_naming_the_topic(raw_catalogue, field):
    broken = copy.deepcopy(raw_catalogue)
    del broken["topics"][3][field]
    with pytest.raises(CatalogueError, match=rf"topic 'cervical_dystonia': missing field '{field}'"):
        parse_catalogue(broken)


def test_missing_id_names_the_position(raw_catalogue):
    broken = copy.deepcopy(raw_catalogue)
    del broken["topics"][1]["id"]
    with pytest.raises(CatalogueError, match=r"topic #2: missing field 'id'"):
        parse_catalogue(broken)


def test_unknown_related_topic_is_an_error_naming_both(raw_catalogue):
    broken = copy.deepcopy(raw_catalogue)
    broken["topics"][0]["related"].append("botox_for_knees")
    with pytest.raises(CatalogueError, match=r"topic 'botox_neck_pain': unknown related topic 'botox_for_knees'"):
        parse_catalogue(broken)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda c: c["topics"].append(copy.deepcopy(c["topics"][0])),
            "topic 'botox_neck_pain': is defined more than once",
        ),
        (lambda c: c["topics"][2]["sources"].append("wikipedia"), "topic 'botox_headache': unknown source 'wikipedia'"),
        (lambda c: c["topics"][0]["related"].append("botox_neck_pain"), "topic 'botox_neck_pain': lists itself"),
        (
            lambda c: c["topics"][4]["terms"].update(mood=["sad"]),
            "topic 'neck_muscle_spasms': unknown term label 'mood'",
        ),
        (
            lambda c: c["topics"][5].update(key_points=[]),
            "topic 'chronic_neck_pain': 'key_points' must be a non-empty list",
        ),
        (
            lambda c: c["topics"][8]["terms"].update(symptom=["botox"]),
            "topic 'emg': term 'botox' is a symptom here but a treatment",
        ),
        (lambda c: c["topics"][0].update(id="Botox Neck"), "lower-case identifier"),
    ],
)
def test_malformed_catalogue_errors_are_clear(raw_catalogue, mutate, message):
    broken = copy.deepcopy(raw_catalogue)
    mutate(broken)
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse_catalogue(broken)


def test_a_new_topic_needs_only_a_catalogue_entry(raw_catalogue):
    extended = copy.deepcopy(raw_catalogue)
    extended["topics"].append(
        {
            "id": "sleep_position",
            "title": "Sleep position",
            "sources": ["neck_pain_article"],
            "summary": "One. Two. Three.",
            "key_points": ["A point."],
            "related": ["chronic_neck_pain"],
            "doctor_questions": ["Which pillow would suit me?"],
            "terms": {"symptom": ["stiff in the morning"]},
            "get_help_now": "neck",
        }
    )
    catalogue = parse_catalogue(extended)
    assert catalogue["sleep_position"].related == ("chronic_neck_pain",)
    assert catalogue.term_labels()["stiff in the morning"] == "symptom"
