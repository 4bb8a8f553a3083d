"""The weights rewritten for AMX are the same model: ggml's own Python dequantisers (gguf-py, which no one here
wrote) read the same weights from both files, to fp16's rounding for Q4_K -> Q4_1 and to half a Q8_0 step (and
its fp16 scale's rounding) for Q6_K -> Q8_0; metadata and other tensors are copied as they are. The files are small GGUFs written by gguf-py
with random blocks in the published layouts."""

import hashlib
import logging
from pathlib import Path

import gguf
import numpy as np
import pytest
from gguf import GGMLQuantizationType as Kind
from gguf.quants import dequantize

from service.model.embedded import EmbeddedModel, Repacked, amx_weights
from service.model.repack import repack
from tests.unit.test_embedded import install_fake_parts

WIDTH = 512  # two Q4_K / Q6_K blocks a row


def random_blocks(random: np.random.Generator, kind: Kind, rows: int) -> np.ndarray:
    """Rows of `kind`'s blocks with random bits, their fp16 scales set to sizes real weights have."""
    block_size, type_size = gguf.GGML_QUANT_SIZES[kind]
    blocks = random.integers(0, 256, size=(rows * WIDTH // block_size, type_size), dtype=np.uint8)
    scale = lambda: random.uniform(1e-4, 3e-3, size=(len(blocks), 1)).astype(np.float16).view(np.uint8)  # noqa: E731
    if kind == Kind.Q4_K:  # d, dmin first
        blocks[:, 0:2], blocks[:, 2:4] = scale(), scale()
    else:  # Q6_K: d last
        blocks[:, -2:] = scale()
    return blocks.reshape(rows, -1)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    random = np.random.default_rng(7)
    path = tmp_path / "published.gguf"
    writer = gguf.GGUFWriter(path, "qwen2")
    writer.add_block_count(1)
    writer.add_string("tokenizer.chat_template", "{{ messages }}")
    writer.add_array("tokenizer.ggml.tokens", ["a", "b", "ç"])
    for name, kind, rows in (("blk.0.ffn_up.weight", Kind.Q4_K, 48), ("output.weight", Kind.Q6_K, 5000)):
        data = random_blocks(random, kind, rows)
        writer.add_tensor(name, data, raw_shape=data.shape, raw_dtype=kind)
    writer.add_tensor("output_norm.weight", random.standard_normal(WIDTH).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


AMX = "CPU : AVX512 = 1 | AMX_INT8 = 1 |"  # as llama.cpp's get_system_info() says it


def weights(path: Path) -> dict[str, tuple[Kind, np.ndarray]]:
    reader = gguf.GGUFReader(path)
    return {
        t.name: (t.tensor_type, dequantize(t.data, t.tensor_type).reshape(-1, WIDTH).astype(np.float64))
        for t in reader.tensors
    }


def shapes(path: Path) -> dict[str, list[int]]:
    return {t.name: t.shape.tolist() for t in gguf.GGUFReader(path).tensors}


def test_the_rewritten_file_holds_the_same_weights_in_q4_1_and_q8_0(published: Path, tmp_path: Path) -> None:
    repack(published, tmp_path / "amx.gguf")

    before, after = weights(published), weights(tmp_path / "amx.gguf")
    assert shapes(tmp_path / "amx.gguf") == shapes(published)
    assert {name: kind for name, (kind, _) in after.items()} == {
        "blk.0.ffn_up.weight": Kind.Q4_1,
        "output.weight": Kind.Q8_0,  # 5,000 rows: more than one slice of rows
        "output_norm.weight": Kind.F32,
    }
    q4_k, q4_1 = before["blk.0.ffn_up.weight"][1], after["blk.0.ffn_up.weight"][1]
    assert np.abs(q4_1 - q4_k).max() <= 1e-3 * np.abs(q4_k).max()
    q6_k, q8_0 = before["output.weight"][1], after["output.weight"][1]
    step = np.abs(q6_k).reshape(-1, 32).max(axis=1, keepdims=True) / 127
    assert (np.abs(q8_0 - q6_k).reshape(-1, 32) <= 0.6 * step).all()
    assert np.array_equal(before["output_norm.weight"][1], after["output_norm.weight"][1])


def test_the_metadata_is_copied(published: Path, tmp_path: Path) -> None:
    repack(published, tmp_path / "amx.gguf")

    fields = gguf.GGUFReader(tmp_path / "amx.gguf").fields
    assert fields["general.architecture"].contents() == "qwen2"
    assert fields["qwen2.block_count"].contents() == 1
    assert fields["tokenizer.chat_template"].contents() == "{{ messages }}"
    assert fields["tokenizer.ggml.tokens"].contents() == ["a", "b", "ç"]


def model_of(published: Path, site: Path, repacked: Repacked, data: bytes | None = None) -> EmbeddedModel:
    data = published.read_bytes() if data is None else data
    install_fake_parts(site, "fake-weights-part", [data])
    return EmbeddedModel(
        name="fake",
        file_name="fake.gguf",
        package_prefix="fake-weights-part",
        parts=1,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        repacked=repacked,
    )


def recorded(published: Path, tmp_path: Path) -> Repacked:
    repack(published, tmp_path / "expected.gguf")
    data = (tmp_path / "expected.gguf").read_bytes()
    return Repacked("fake-amx.gguf", len(data), hashlib.sha256(data).hexdigest())


def test_the_rewrite_is_made_once_from_the_published_file_and_checked(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = model_of(published, tmp_path / "site", recorded(published, tmp_path))

    made = amx_weights(model, tmp_path / "cache", system_info=AMX)

    assert made == tmp_path / "cache" / "fake-amx.gguf"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["fake-amx.gguf", "fake.gguf"]
    written = made.stat().st_mtime_ns, made.stat().st_ino
    assert amx_weights(model, tmp_path / "cache", system_info=AMX) == made
    assert (made.stat().st_mtime_ns, made.stat().st_ino) == written  # read and checked, not written again
    made.write_bytes(b"tampered")
    assert amx_weights(model, tmp_path / "cache", system_info=AMX) == made  # made again
    assert made.read_bytes() == (tmp_path / "expected.gguf").read_bytes()


def test_without_amx_the_published_weights_are_loaded(published: Path, tmp_path: Path) -> None:
    model = model_of(published, tmp_path / "site", recorded(published, tmp_path))

    assert amx_weights(model, tmp_path / "cache", system_info="CPU : AVX2 = 1 | AVX512 = 1 |") is None
    assert not (tmp_path / "cache").exists()


def test_a_rewrite_not_as_recorded_is_not_loaded_nor_tried_at_every_start(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    expected = recorded(published, tmp_path)
    model = model_of(published, tmp_path / "site", Repacked(expected.file_name, expected.size, "0" * 64))

    with caplog.at_level(logging.WARNING):
        assert amx_weights(model, tmp_path / "cache", system_info=AMX) is None
    assert "not as recorded" in caplog.text
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["fake-amx.gguf.failed", "fake.gguf"]
    caplog.clear()

    with caplog.at_level(logging.INFO):
        assert amx_weights(model, tmp_path / "cache", system_info=AMX) is None
    assert "rewriting" not in caplog.text  # the marker names this gguf and numpy: not tried again


def test_weights_that_are_no_gguf_fail_the_rewrite_not_the_start(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = model_of(published, tmp_path / "site", recorded(published, tmp_path), data=b"not a GGUF file" * 10)

    with caplog.at_level(logging.WARNING):
        assert amx_weights(model, tmp_path / "cache", system_info=AMX) is None

    assert "not loaded" in caplog.text
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["fake-amx.gguf.failed", "fake.gguf"]


def test_a_read_only_weights_directory_is_read_not_written(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = model_of(published, tmp_path / "site", recorded(published, tmp_path))
    directory = tmp_path / "image"
    directory.mkdir()

    assert amx_weights(model, tmp_path / "cache", weights_dir=directory, system_info=AMX) is None
    assert list(directory.iterdir()) == []
    (directory / "fake-amx.gguf").write_bytes((tmp_path / "expected.gguf").read_bytes())
    assert amx_weights(model, tmp_path / "cache", weights_dir=directory, system_info=AMX) == directory / "fake-amx.gguf"
