"""Build the project's own spaCy pipeline from the topic catalogue.

No pretrained English model can be downloaded here, so Rasa's SpacyNLP loads this pipeline instead:
the English tokenizer, a lookup lemmatizer (tables from spacy-lookups-data) and an entity ruler that
tags `symptom`, `body_part`, `treatment` and `duration`. Only built-in components are used, so
`spacy.load()` needs no project code.

    python scripts/build_spacy_pipeline.py build/spacy/neck_pain_en
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.lookups import load_lookups

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.catalogue import Catalogue, default_catalogue  # noqa: E402
from knowledge.terms import word_variants  # noqa: E402

PIPELINE_NAME = "neck_pain_en"

# Words that introduce or stand for a span of time ("since last week", "for ages").
TIME_ANCHORS = [
    "yesterday",
    "today",
    "tonight",
    "morning",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "christmas",
    "birth",
    "childhood",
]
QUANTIFIERS = ["a", "an", "one", "few", "several", "many", "some", "couple", "past", "last", "this"]


def term_pattern(nlp, term: str) -> list[dict]:
    """A token pattern matching the term in any case and any inflection of each word."""
    pattern = []
    for token in nlp.make_doc(term.lower()):
        variants = word_variants(token.text)
        pattern.append({"LOWER": {"IN": variants}} if len(variants) > 1 else {"LOWER": token.text})
    return pattern


def duration_patterns(units: Iterable[str]) -> list[dict]:
    unit_forms = sorted({form for unit in units for form in [*word_variants(unit), unit + "s"]})
    unit = {"LOWER": {"IN": unit_forms}}
    number = {"LIKE_NUM": True}
    plural_units = [form for form in unit_forms if form.endswith("s")]
    patterns = [
        [number, unit],
        [number, {"ORTH": {"IN": ["-", "to", "or"]}}, number, unit],
        [{"LOWER": {"IN": QUANTIFIERS}}, unit],
        [{"LOWER": {"IN": QUANTIFIERS}}, {"LOWER": {"IN": ["few", "couple"]}}, {"LOWER": "of", "OP": "?"}, unit],
        [
            {"LOWER": "since"},
            {"LOWER": {"IN": ["last", "this"]}, "OP": "?"},
            {"LOWER": {"IN": TIME_ANCHORS + unit_forms}},
        ],
        [{"LOWER": "for"}, {"LOWER": {"IN": plural_units + ["ages", "ever"]}}],
    ]
    return [{"label": "duration", "pattern": pattern} for pattern in patterns]


def build(catalogue: Catalogue) -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.meta.update(
        {
            "name": PIPELINE_NAME,
            "version": "1.0.0",
            "description": "Tokenizer, lookup lemmatizer and entity ruler built from catalogue/topics.yml",
        }
    )
    lookups = load_lookups("en", ["lemma_lookup"])

    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lemmatizer.initialize(lookups=lookups)

    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    patterns = [
        {"label": label, "pattern": term_pattern(nlp, term), "id": term}
        for term, label in sorted(catalogue.term_labels().items())
    ]
    patterns += duration_patterns(catalogue.shared_terms.get("duration_units", ()))
    ruler.add_patterns(patterns)
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="directory to write the pipeline to")
    args = parser.parse_args()
    nlp = build(default_catalogue())
    if args.output.exists():
        shutil.rmtree(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    ruler = nlp.get_pipe("entity_ruler")
    print(f"spaCy pipeline '{PIPELINE_NAME}' written to {args.output}: {len(ruler.patterns)} entity patterns")


if __name__ == "__main__":
    main()
