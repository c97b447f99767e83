"""The project's own spaCy pipeline, as Rasa's SpacyNLP loads it (built by `make build`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

PIPELINE = Path(__file__).resolve().parent.parent / "build" / "spacy" / "neck_pain_en"


@pytest.fixture(scope="module")
def nlp():
    if not (PIPELINE / "meta.json").exists():
        pytest.fail(f"{PIPELINE} is missing: run `make build` first")
    return spacy.load(PIPELINE)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("My head keeps pulling and I get Spasms", {("head", "body_part"), ("Spasms", "symptom")}),
        ("droopy eyelids after BOTOX", {("droopy eyelids", "symptom"), ("BOTOX", "treatment")}),
        ("tried physio and baclofen", {("physio", "treatment"), ("baclofen", "treatment")}),
        ("had an occipital nerve block", {("occipital nerve block", "treatment")}),
        ("chronische nackenschmerzen", {("nackenschmerzen", "symptom")}),
        ("it hurts for 3 weeks now", {("3 weeks", "duration")}),
        ("since last week", {("since last week", "duration")}),
        ("for a couple of months", {("a couple of months", "duration")}),
        ("on and off for years", {("for years", "duration")}),
        ("2-3 days", {("2-3 days", "duration")}),
        ("hello there, thanks", set()),
    ],
)
def test_entity_ruler_tags_catalogue_terms_and_durations(nlp, text, expected):
    assert {(ent.text, ent.label_) for ent in nlp(text).ents} == expected


def test_lookup_lemmatizer_gives_lemmas(nlp):
    assert [token.lemma_ for token in nlp("injections relaxes muscles")] == ["injection", "relax", "muscle"]


def test_pipeline_uses_only_built_in_components(nlp):
    assert nlp.pipe_names == ["lemmatizer", "entity_ruler"]
