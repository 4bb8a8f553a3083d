"""Weights are assembled from chunk packages found by metadata, and refused unless their SHA-256 matches.

The chunk packages here are small real distributions written to a temporary site directory; the cgroup
files are temporary files laid out as /proc/self/cgroup and /sys/fs/cgroup are."""

import hashlib
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.errors import EmbeddedNotInstalled, WeightsError
from service.model.embedded import (
    EmbeddedModel,
    assemble_weights,
    available_cpus,
    cgroup_cpu_quota,
    check_installed,
    cpu_flags,
    llama_build,
    parse_cpu_max,
    part_files,
    verified_weights,
)


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


def test_weights_assembled_beforehand_are_read_and_checked_never_written(chunks: list[bytes], tmp_path: Path) -> None:
    model = model_for(chunks)
    weights_dir = tmp_path / "image-model"
    built = assemble_weights(model, weights_dir)  # what the image's build step does
    before = {path.name: path.stat().st_mtime_ns for path in weights_dir.iterdir()}

    assert verified_weights(model, weights_dir) == built
    assert {path.name: path.stat().st_mtime_ns for path in weights_dir.iterdir()} == before


def test_weights_missing_from_their_read_only_directory_are_not_assembled_there(
    chunks: list[bytes], tmp_path: Path
) -> None:
    weights_dir = tmp_path / "image-model"
    weights_dir.mkdir()

    with pytest.raises(WeightsError, match="assemble-weights"):
        verified_weights(model_for(chunks), weights_dir)

    assert list(weights_dir.iterdir()) == []


def test_weights_in_the_read_only_directory_that_fail_their_sha256_are_refused(
    chunks: list[bytes], tmp_path: Path
) -> None:
    model = model_for(chunks)
    weights = assemble_weights(model, tmp_path / "image-model")
    tampered = bytearray(weights.read_bytes())
    tampered[10] ^= 0xFF
    weights.write_bytes(bytes(tampered))

    with pytest.raises(WeightsError, match="not the published file"):
        verified_weights(model, tmp_path / "image-model")


def test_without_llama_cpp_the_embedded_default_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # as if the `embedded` extra were not installed

    with pytest.raises(EmbeddedNotInstalled) as raised:
        check_installed("1.5b", weights_dir=None)

    message = str(raised.value)
    assert "\n" not in message
    assert "pip install 'summarise[embedded]'" in message
    assert "SUMMARISE_BASE_URL" in message


def test_the_cli_says_it_in_one_line_instead_of_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    for name in ("SUMMARISE_BASE_URL", "SUMMARISE_MODEL", "SUMMARISE_EMBEDDED_WEIGHTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env

    result = CliRunner().invoke(main, ["serve", "--port", "1"])

    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: the embedded model needs llama.cpp"), line
    assert "summarise[embedded]" in line


def test_serve_with_a_weights_directory_that_lacks_them_says_so_before_it_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("SUMMARISE_BASE_URL", "SUMMARISE_MODEL", "SUMMARISE_EMBEDDED_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARISE_EMBEDDED_WEIGHTS_DIR", str(tmp_path / "image-model"))
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["serve", "--port", "1"])

    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert (
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf does not exist; assemble it with `summarise assemble-weights" in line
    )


@pytest.mark.parametrize(
    ("cpu_max", "cpus"),
    [
        ("max 100000\n", None),  # no limit
        ("200000 100000\n", 2),  # docker --cpus 2
        ("150000 100000\n", 1),  # 1.5 CPUs: one thread never throttled
        ("50000 100000\n", 1),  # half a CPU: still one thread
        ("400000 50000\n", 8),  # another period
        ("", None),
        ("garbage", None),
    ],
)
def test_cpu_max_is_read_as_whole_cpus(cpu_max: str, cpus: int | None) -> None:
    assert parse_cpu_max(cpu_max) == cpus


def cgroup_tree(tmp_path: Path, own: str, limits: dict[str, str]) -> tuple[Path, Path]:
    """A /proc/self/cgroup naming `own`, and a cgroup v2 tree with a cpu.max where `limits` says."""
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text(f"0::{own}\n")
    root = tmp_path / "sys-fs-cgroup"
    (root / own.lstrip("/")).mkdir(parents=True)
    for directory, cpu_max in limits.items():
        (root / directory.lstrip("/") / "cpu.max").write_text(cpu_max)
    return proc, root


def test_the_container_quota_caps_the_threads_below_the_cores_it_may_run_on(tmp_path: Path) -> None:
    # In a container with its own cgroup namespace, its cgroup is the root of what it sees.
    proc, root = cgroup_tree(tmp_path, "/", {"/": "100000 100000\n"})

    assert available_cpus(proc, root) == 1


def test_a_parents_quota_applies_to_the_cgroup_under_it(tmp_path: Path) -> None:
    proc, root = cgroup_tree(
        tmp_path,
        "/kubepods.slice/pod1/container1",
        {"/kubepods.slice/pod1": "300000 100000\n", "/kubepods.slice/pod1/container1": "max 100000\n"},
    )

    assert cgroup_cpu_quota(proc, root) == 3


def test_without_a_quota_the_threads_are_the_cpus_of_the_affinity_mask(tmp_path: Path) -> None:
    proc, root = cgroup_tree(tmp_path, "/user.slice", {"/": "max 100000\n"})

    assert available_cpus(proc, root) == len(os.sched_getaffinity(0))


def test_cgroup_v1_or_no_cgroup_file_means_no_quota(tmp_path: Path) -> None:
    v1 = tmp_path / "v1"
    v1.write_text("12:cpu,cpuacct:/docker/abc\n")

    assert cgroup_cpu_quota(v1, tmp_path) is None
    assert cgroup_cpu_quota(tmp_path / "absent", tmp_path) is None


PREBUILT = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 |"
NATIVE = PREBUILT.replace("BMI2 = 1 |", "BMI2 = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 |")


def test_the_start_says_which_llama_cpp_runs_and_what_this_processor_could_run(tmp_path: Path) -> None:
    # xllamacpp.get_system_info() of the prebuilt 2026.10.11549 wheel and of a `make native` build on Zen 4
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512_vnni\nbugs\t\t: none\n")
    zen4 = cpu_flags(cpuinfo)

    assert {"avx2", "avx512f", "avx512_vnni"} <= zen4
    assert (
        llama_build(NATIVE, zen4, built_here=True)
        == "llama.cpp built for this processor (AVX512, AVX512_BF16, AVX512_VBMI, AVX512_VNNI)"
    )
    assert "`make native`" in llama_build(PREBUILT, zen4, built_here=False)
    # a Sapphire Rapids Xeon's build, whose AMX tiles `make native` probes before it builds for them
    sapphire_rapids = NATIVE.replace("REPACK", "AMX_INT8 = 1 | REPACK")
    assert llama_build(sapphire_rapids, zen4 | {"amx_tile"}, built_here=True) == (
        "llama.cpp built for this processor (AMX_INT8, AVX512, AVX512_BF16, AVX512_VBMI, AVX512_VNNI)"
    )
    assert llama_build(PREBUILT, frozenset({"avx2"}), built_here=False) == "llama.cpp from the prebuilt wheel (AVX2)"
    assert cpu_flags(tmp_path / "missing") == frozenset()
    # built here on a processor without AVX-512 (Zen 3): its info reads as the prebuilt wheel's
    assert llama_build(PREBUILT, frozenset({"avx2"}), built_here=True) == (
        "llama.cpp built for this processor (no AVX-512 on it)"
    )
