"""`make install`'s llama.cpp built for this processor runs here: on a CPU with AMX tiles, the build uses them
only where llama.cpp's tile set-up, built by this machine's compiler, works (the Makefile's AMX probe). With
GCC 12, -march=native on a Sapphire Rapids Xeon built AMX kernels whose set-up the compiler had miscompiled,
and the embedded server died loading the model (a general protection fault at `ldtilecfg`)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cpu_flags() -> set[str]:
    line = next((x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def _amx_probe() -> str:
    found = re.search(r"^define AMX_PROBE\n(.*?)^endef$", (ROOT / "Makefile").read_text(), re.DOTALL | re.MULTILINE)
    assert found, "the Makefile's AMX probe"
    return found[1]


def test_the_installed_llama_cpp_uses_amx_only_where_its_set_up_works(tmp_path: Path) -> None:
    xllamacpp = pytest.importorskip("xllamacpp")
    compiler = shutil.which("c++")
    if "amx_tile" not in _cpu_flags() or compiler is None:
        pytest.skip("no AMX on this processor, or no compiler to build the probe with")
    source, probe = tmp_path / "amx-probe.cpp", tmp_path / "amx-probe"
    source.write_text(_amx_probe())
    build = [compiler, "-O2", "-march=native", str(source), "-o", str(probe)]
    subprocess.run(build, check=True, timeout=120)  # noqa: S603 - the system's compiler, our own probe
    works = subprocess.run([str(probe)], check=False, timeout=60).returncode == 0  # noqa: S603 - built above
    uses_amx = "AMX_INT8 = 1" in xllamacpp.get_system_info()
    assert works or not uses_amx, "llama.cpp was built with AMX kernels that fault on this machine"
