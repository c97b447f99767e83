"""The sentence encoder: paraphrases get close vectors and unrelated sentences distant ones, whatever the
batch, padding or length of the message."""

from __future__ import annotations

import numpy as np
import pytest

from components.sentence_encoder import MAX_TOKENS, shared_encoder


@pytest.fixture(scope="module")
def encoder():
    return shared_encoder()


def similarity(encoder, first: str, second: str) -> float:
    a, b = encoder.encode([first, second])
    return float(a @ b)


@pytest.mark.parametrize(
    "text, paraphrase, unrelated",
    [
        ("my neck is stiff", "I have a stiff neck", "what time does the train leave"),
        ("are botox injections safe", "is it dangerous to get botulinum toxin shots", "my neck is stiff"),
        ("a pinched nerve in my neck", "a trapped nerve in the neck", "I sleep on two pillows"),
        ("headache that starts at the back of my head", "pain at the base of my skull", "I like yoga"),
    ],
)
def test_paraphrases_are_closer_than_unrelated_sentences(encoder, text, paraphrase, unrelated):
    close, far = similarity(encoder, text, paraphrase), similarity(encoder, text, unrelated)
    assert close > 0.5
    assert close > far + 0.2


def test_vectors_are_unit_length_and_do_not_depend_on_the_batch(encoder):
    texts = ["neck", "my neck has hurt every day for three years and the physio did not help at all", "botox?"]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    assert together.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding to the longest message of a batch changes nothing.
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_a_very_long_or_odd_message_is_encoded(encoder):
    vectors = encoder.encode(["neck pain " * (2 * MAX_TOKENS), "🙂 ¿qué? \x00", ""])
    assert np.isfinite(vectors).all()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
