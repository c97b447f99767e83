"""Rank catalogue topics for the latest user message."""

from __future__ import annotations

from typing import Any

from knowledge.catalogue import Catalogue
from knowledge.terms import topic_term_hits

RETRIEVAL_INTENT = "topic"
# How many topic ids the `topics` slot keeps, best first.
MAX_RANKED_TOPICS = 5
# How many other topics are offered as buttons after an answer.
MAX_SUGGESTIONS = 3
# A runner-up the ranker is this sure of is offered before the catalogue's related topics.
RUNNER_UP_CONFIDENCE = 0.1


def chosen_topic(latest_message: dict[str, Any], catalogue: Catalogue) -> str | None:
    """The topic a button (or any `topic` entity) named, if it is a known topic id."""
    for entity in latest_message.get("entities") or []:
        if entity.get("entity") == "topic" and catalogue.get(entity.get("value")):
            return entity["value"]
    return None


def selector_ranking(latest_message: dict[str, Any], catalogue: Catalogue) -> list[dict[str, Any]]:
    """The ResponseSelector's ranking as [{"id", "confidence"}], known topics only, best first."""
    selectors = latest_message.get("response_selector") or {}
    # A ResponseSelector without `retrieval_intent` (Rasa's default configuration) reports as "default".
    selector = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    ranking = []
    for label in selector.get("ranking") or []:
        key = label.get("intent_response_key") or ""
        topic_id = key.split("/", 1)[1] if key.startswith(f"{RETRIEVAL_INTENT}/") else None
        if catalogue.get(topic_id):
            ranking.append({"id": topic_id, "confidence": float(label.get("confidence") or 0.0)})
    return sorted(ranking, key=lambda item: item["confidence"], reverse=True)


def rank_topics(latest_message: dict[str, Any], catalogue: Catalogue) -> list[str]:
    """Topic ids best first: a chosen topic and its related ones, else the ranker's order (its first is
    the one `utter_topic` shows). The ranker reads the catalogue terms itself: a bonus for the terms
    mentioned would count them twice, and it pushed the right runner-up out of the first three."""
    chosen = chosen_topic(latest_message, catalogue)
    if chosen:
        return [chosen, *catalogue[chosen].related][:MAX_RANKED_TOPICS]
    return [item["id"] for item in selector_ranking(latest_message, catalogue)][:MAX_RANKED_TOPICS]


def named_topic(latest_message: dict[str, Any], catalogue: Catalogue) -> str | None:
    """The topic whose catalogue terms the message names most ("methocarbamol" -> muscle relaxants), the
    ranker's order breaking ties; None when it names none."""
    hits = topic_term_hits(latest_message.get("entities") or [], catalogue)
    if not hits:
        return None
    order = {item["id"]: index for index, item in enumerate(selector_ranking(latest_message, catalogue))}
    return min(hits, key=lambda topic_id: (-hits[topic_id], order.get(topic_id, len(order))))


def suggestions(latest_message: dict[str, Any], catalogue: Catalogue, shown: str) -> list[str]:
    """Other topics to offer after `shown`: confident or mentioned runners-up first, then its related topics."""
    confidence = {item["id"]: item["confidence"] for item in selector_ranking(latest_message, catalogue)}
    hits = topic_term_hits(latest_message.get("entities") or [], catalogue)
    runners_up = [
        topic_id
        for topic_id in rank_topics(latest_message, catalogue)[1:]
        if confidence.get(topic_id, 0.0) >= RUNNER_UP_CONFIDENCE or hits[topic_id]
    ]
    offered: list[str] = []
    for topic_id in [*runners_up, *catalogue[shown].related]:
        if topic_id not in offered and topic_id != shown:
            offered.append(topic_id)
    return offered[:MAX_SUGGESTIONS]
