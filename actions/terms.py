"""Match entity values that the spaCy pipeline tagged back to the catalogue terms, and so to topics."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import spacy_lookups_data
import srsly

from actions.catalogue import Catalogue

WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """English form -> lemma, the table the spaCy pipeline's lookup lemmatizer uses."""
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    return srsly.read_gzip_json(path)


def lemma_key(text: str) -> str:
    """A case- and inflection-free key: 'Droopy Eyelids' and 'droopy eyelid' share one."""
    table = lemma_table()
    return " ".join(table.get(word, word) for word in WORD.findall(text.lower()))


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
