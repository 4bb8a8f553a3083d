"""The embedding model run in numpy gives sentence-transformers' own vectors, from the recorded file only."""

import json
from pathlib import Path

import numpy as np
import pytest

from service.errors import WeightsError
from service.model import embeddings

REFERENCE = json.loads((Path(__file__).parent.parent / "fixtures" / "minilm-reference.json").read_text())


def test_vectors_are_sentence_transformers_own() -> None:
    made = embeddings.load_embedder().encode(REFERENCE["texts"])
    assert made.shape == (3, 384)
    assert np.abs(made - np.array(REFERENCE["vectors"])).max() < 1e-5


def test_texts_of_any_length_in_one_call_give_the_vectors_each_gives_alone() -> None:
    embedder = embeddings.load_embedder()
    texts = ["war", "A much longer sentence about the peace talks in Geneva between two delegations.", "x" * 3000]
    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5  # padding changes nothing; a long text is cut, not refused
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_a_model_file_that_is_not_the_recorded_one_stops_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "model.zip"
    other.write_bytes(b"not the model")
    monkeypatch.setattr(embeddings, "model_zip", lambda: other)
    embeddings.load_embedder.cache_clear()
    try:
        with pytest.raises(WeightsError) as raised:
            embeddings.load_embedder()
    finally:
        embeddings.load_embedder.cache_clear()
    assert "not the recorded" in str(raised.value)
    assert "\n" not in str(raised.value)
