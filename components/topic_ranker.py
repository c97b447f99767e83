"""Rasa NLU component: ranks the catalogue topics for a message, in place of Rasa's ResponseSelector.

TF-IDF over character 2-5-grams (typos, new spellings) and word 1-2-grams, then a logistic regression,
trained on the examples of the retrieval intent `topic/<id>` (data/nlu/topics.yml) and, as one more
class, the examples of the conversational intents (greetings, yes, no, out of scope). It writes the same
`response_selector` output as Rasa's ResponseSelector, so `utter_topic` and the topic actions read it
unchanged, except the answer's text: Rasa says a retrieval response by its name (`utter_action`), from the
domain, and never reads the copy ResponseSelector puts in every parsed message (and so in every stored
message and every request to the action server: about 1.6 kB each, 40 % of a stored message).

For messages that may be about a topic, a second logistic regression on sentence embeddings
(components/sentence_encoder.py) is mixed in: it recognises paraphrases that share few words or
character n-grams with the training examples.

When the intent classifier gave up on a message (fallback, out of scope) or heard a bare yes, no or stop
in what is really a description ("stiff neck, no fever, no rash", "my head keeps pulling and I can't stop
it"), and the ranker is sure the message is about a topic, the intent becomes the topic intent: a health
message for which a topic fits never gets "no topic". Chosen on an independently written topic corpus
(`make eval`): more often right than DIET's response selection on phrasings nobody trained on, and it
trains in seconds instead of minutes.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from components.component_bases import PersistedComponent
from components.sentence_encoder import shared_encoder

# The label of the examples of conversational intents: not a topic.
OTHER = "__other__"


# A finding the person denies ("no headaches, no arm pain") says nothing about the topic, yet its words are
# those of another topic. Removed up to the end of its clause; "no better than", "no relief" and the like stay.
DENIAL = re.compile(
    r"\b(?:no|without|nor|never had|not had|don'?t have|haven'?t had)\s+"
    r"(?!longer\b|matter\b|idea\b|better\b|worse\b|more\b|one\b|way\b|sure\b|help\b|relief\b|change\b"
    r"|difference\b|effect\b|improvement\b)"
    r"[^,.;:!?]*?(?=\s+(?:and|but|though|just|or|only)\b|[,.;:!?]|$)",
    re.IGNORECASE,
)


def without_denials(text: str) -> str:
    """The lower-cased text without the findings it denies."""
    return DENIAL.sub(" ", text.lower())


def train_ranker(texts: list[str], labels: list[str], c: float = 20.0) -> Pipeline:
    ranker = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=without_denials),
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, preprocessor=without_denials),
        ),
        # Newton-CG reaches the same optimum as the default L-BFGS (probabilities within 1e-4) in 17 steps
        # instead of 109: 7 s of training instead of 11 on these features.
        LogisticRegression(C=c, max_iter=5000, solver="newton-cg"),
    )
    ranker.fit(texts, labels)
    return ranker


def train_sentence_ranker(vectors: np.ndarray, labels: list[str], c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(vectors, labels)


def probabilities(model: Pipeline | LogisticRegression, features: Any) -> dict[str, float]:
    """A fitted classifier's probability of each of its classes for one message's features."""
    return dict(zip(map(str, model.classes_), map(float, model.predict_proba(features)[0]), strict=True))


def ranked(scores: dict[str, float], limit: int = 10) -> list[tuple[str, float]]:
    """(intent_response_key, confidence) of the topics, best first, the confidences renormalised over the
    topics alone."""
    topics = {key: score for key, score in scores.items() if key != OTHER}
    total = sum(topics.values()) or 1.0
    return sorted(((key, score / total) for key, score in topics.items()), key=lambda item: -item[1])[:limit]


def topic_chance(scores: dict[str, float]) -> float:
    """How likely the message is about one of the topics rather than conversation."""
    return 1.0 - scores.get(OTHER, 0.0)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicRanker(PersistedComponent):
    """Ranks the topics of one retrieval intent with linear models over n-grams and sentence embeddings."""

    model_file = "topic_ranker.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "retrieval_intent": "topic",
            "C": 20.0,
            # Examples of these intents train the "not a topic" class.
            "other_intents": [],
            # A second model on sentence embeddings (components/sentence_encoder.py), whose probabilities
            # are mixed into the n-gram model's with this weight (0: the n-gram model alone).
            "sentence_weight": 0.0,
            "sentence_C": 16.0,
            # The embedding is computed only for messages that may be about a topic: the intent is the
            # topic intent, or the n-gram model gives a topic at least this chance ("no", "bye" skip it).
            "sentence_min_topic_chance": 0.5,
            # Intents that become the topic intent when the ranker is this sure that a topic fits; a yes,
            # no or stop only when the message is longer than a bare answer.
            "route_intents": ["nlu_fallback", "out_of_scope"],
            "answer_intents": ["affirm", "deny", "stop"],
            "route_threshold": 0.6,
            "answer_min_words": 4,
        }

    def restore(self, saved: dict[str, Any] | None) -> None:
        self.ranker: Pipeline | None = (saved or {}).get("ranker")
        self.sentence_ranker: LogisticRegression | None = (saved or {}).get("sentence_ranker")
        if self.sentence_ranker is not None:
            # Load the encoder (and trace its graph) with the model, not on someone's first message.
            shared_encoder().encode(["neck"])

    def saved_state(self) -> dict[str, Any]:
        return {"ranker": self.ranker, "sentence_ranker": self.sentence_ranker}

    def train(self, training_data: TrainingData) -> Resource:
        intent = self.config["retrieval_intent"]
        other = set(self.config["other_intents"])
        examples = [
            (example.get(TEXT), example.get(INTENT_RESPONSE_KEY) if example.get(INTENT) == intent else OTHER)
            for example in training_data.intent_examples
            if (example.get(INTENT) == intent and example.get(INTENT_RESPONSE_KEY)) or example.get(INTENT) in other
        ]
        texts, labels = [text for text, _ in examples], [label for _, label in examples]
        self.ranker = train_ranker(texts, labels, self.config["C"])
        self.sentence_ranker = None
        if self.config["sentence_weight"] > 0:
            vectors = shared_encoder().encode(texts)
            self.sentence_ranker = train_sentence_ranker(vectors, labels, self.config["sentence_C"])
        return self.persist()

    def ngram_scores(self, text: str) -> dict[str, float]:
        """The n-gram model's probability of every topic (and of "not a topic")."""
        return probabilities(self.ranker, [text])

    def scores(self, text: str, intent: str | None) -> dict[str, float]:
        """The probability of every topic (and of "not a topic") for one message."""
        scores = self.ngram_scores(text)
        # A button's payload ("/start_triage") is parsed by Rasa after every component: nothing to understand.
        about_topic = not text.startswith("/") and (
            intent == self.config["retrieval_intent"]
            or topic_chance(scores) >= self.config["sentence_min_topic_chance"]
        )
        if self.sentence_ranker is None or not about_topic:
            return scores
        weight = self.config["sentence_weight"]
        sentence = probabilities(self.sentence_ranker, shared_encoder().encode([text]))
        return {key: (1.0 - weight) * scores[key] + weight * probability for key, probability in sentence.items()}

    def process(self, messages: list[Message]) -> list[Message]:
        if self.ranker is None:
            return messages
        intent = self.config["retrieval_intent"]
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip():
                continue
            scores = self.scores(text, (message.get(INTENT) or {}).get("name"))
            ranking = ranked(scores)
            best, confidence = ranking[0]
            utter_action = f"utter_{best}"
            selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
            selector[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = [intent]
            selector[intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    "confidence": confidence,
                    INTENT_RESPONSE_KEY: best,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {"confidence": score, INTENT_RESPONSE_KEY: key} for key, score in ranking
                ],
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
            self._route(message, text, scores)
        return messages

    def _route(self, message: Message, text: str, scores: dict[str, float]) -> None:
        """Give the topic intent to a health message the intent classifier did not recognise."""
        intent = (message.get(INTENT) or {}).get("name")
        routable = intent in self.config["route_intents"] or (
            intent in self.config["answer_intents"] and len(text.split()) >= self.config["answer_min_words"]
        )
        if not routable:
            return
        chance = topic_chance(scores)
        if chance < self.config["route_threshold"]:
            return
        topic = {"name": self.config["retrieval_intent"], "confidence": chance}
        others = [item for item in message.get(INTENT_RANKING_KEY) or [] if item.get("name") != topic["name"]]
        message.set(INTENT, topic, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [topic, *others], add_to_output=True)
