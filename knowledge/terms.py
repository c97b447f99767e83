"""Match entity values that the spaCy pipeline tagged back to the catalogue terms, and so to topics."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import spacy_lookups_data
import srsly

from knowledge.catalogue import Catalogue

WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """English form -> lemma, the table the spaCy pipeline's lookup lemmatizer uses."""
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    return srsly.read_gzip_json(path)


@lru_cache(maxsize=1)
def inflections() -> dict[str, frozenset[str]]:
    """Invert the lemma table: lemma -> every lower-case form that lemmatizes to it."""
    forms: dict[str, set[str]] = defaultdict(set)
    for form, lemma in lemma_table().items():
        if form.islower():
            forms[lemma].add(form)
    return {lemma: frozenset(values) for lemma, values in forms.items()}


def word_variants(word: str) -> list[str]:
    """The word, its lemma and every inflection of that lemma, lower case, sorted."""
    word = word.lower()
    lemma = lemma_table().get(word, word)
    if word.isalpha() and not lemma.isalpha():  # the table maps "second" to "2"
        lemma = word
    forms = inflections()
    return sorted({word, lemma} | forms.get(word, frozenset()) | forms.get(lemma, frozenset()))


def lemma_key(text: str) -> str:
    """A case- and inflection-free key: 'Droopy Eyelids' and 'droopy eyelid' share one."""
    table = lemma_table()
    return " ".join(table.get(word, word) for word in WORD.findall(text.lower()))


@lru_cache(maxsize=8)
def term_index(catalogue: Catalogue) -> dict[str, set[str]]:
    """Lemma key of each topic term -> the topics that list it."""
    index: dict[str, set[str]] = defaultdict(set)
    for topic in catalogue.topics:
        for terms in topic.terms.values():
            for term in terms:
                index[lemma_key(term)].add(topic.id)
    return index


def topic_term_hits(entities: list[dict], catalogue: Catalogue) -> Counter:
    """How many distinct catalogue terms of each topic the message's entities mention."""
    index = term_index(catalogue)
    keys = {lemma_key(str(entity.get("value", ""))) for entity in entities}
    return Counter(topic_id for key in keys for topic_id in index.get(key, ()))
