"""Weights are assembled from chunk packages found by metadata, and refused unless their SHA-256 matches.

The chunk packages here are small real distributions written to a temporary site directory."""

import hashlib
from pathlib import Path

import pytest

from service.errors import WeightsError
from service.model.embedded import EmbeddedModel, assemble_weights, part_files


def install_fake_parts(site: Path, prefix: str, chunks: list[bytes]) -> None:
    for index, chunk in enumerate(chunks, start=1):
        package = f"{prefix.replace('-', '_')}{index}"
        dist_info = site / f"{package}-0.1.0.dist-info"
        dist_info.mkdir(parents=True)
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {prefix}{index}\nVersion: 0.1.0\n")
        data = site / package / "data"
        data.mkdir(parents=True)
        (data / f"part{index:02d}.bin").write_bytes(chunk)
        (dist_info / "RECORD").write_text(
            f"{package}/data/part{index:02d}.bin,,\n{package}-0.1.0.dist-info/METADATA,,\n"
        )


@pytest.fixture
def chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    parts = [b"GGUF" + bytes(range(200)), b"middle" * 50, b"the end"]
    site = tmp_path / "site"
    install_fake_parts(site, "fake-weights-part", parts)
    monkeypatch.syspath_prepend(str(site))
    return parts


def model_for(parts: list[bytes], sha256: str | None = None) -> EmbeddedModel:
    whole = b"".join(parts)
    return EmbeddedModel(
        name="fake",
        file_name="fake.gguf",
        package_prefix="fake-weights-part",
        parts=len(parts),
        size=len(whole),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
    )


def test_parts_are_found_in_order_without_importing_them(chunks: list[bytes]) -> None:
    files = part_files(model_for(chunks))

    assert [f.name for f in files] == ["part01.bin", "part02.bin", "part03.bin"]


def test_weights_are_assembled_and_verified(chunks: list[bytes], tmp_path: Path) -> None:
    weights = assemble_weights(model_for(chunks), tmp_path / "cache")

    assert weights.read_bytes() == b"".join(chunks)
    assert list((tmp_path / "cache").iterdir()) == [weights]  # no partial file left behind


def test_weights_with_the_wrong_sha256_are_refused(chunks: list[bytes], tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="not the published file"):
        assemble_weights(model_for(chunks, sha256="0" * 64), tmp_path / "cache")

    assert not (tmp_path / "cache" / "fake.gguf").exists()


def test_a_tampered_cached_file_is_rebuilt(chunks: list[bytes], tmp_path: Path) -> None:
    model = model_for(chunks)
    weights = assemble_weights(model, tmp_path / "cache")
    tampered = bytearray(weights.read_bytes())
    tampered[10] ^= 0xFF
    weights.write_bytes(bytes(tampered))

    again = assemble_weights(model, tmp_path / "cache")

    assert again.read_bytes() == b"".join(chunks)


def test_a_missing_part_package_says_how_to_install_it(tmp_path: Path) -> None:
    missing = EmbeddedModel("x", "x.gguf", "no-such-weights-part", 2, 10, "0" * 64)

    with pytest.raises(WeightsError, match="no-such-weights-part1 is not installed"):
        assemble_weights(missing, tmp_path)
