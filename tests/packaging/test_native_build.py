"""`make install`'s llama.cpp built for this processor runs here: on a CPU with AMX tiles, the build uses them
only where llama.cpp's tile set-up, built by this machine's compiler, works (the Makefile's AMX probe), as
it is or with the flags the Makefile then adds. With GCC 12, -march=native on a Sapphire Rapids Xeon built
AMX kernels whose set-up the compiler had miscompiled, and the embedded server died loading the model (a
general protection fault at `ldtilecfg`); tests/slow run the model itself."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text()


def _cpu_flags() -> set[str]:
    line = next((x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def _amx_probe() -> str:
    found = re.search(r"^define AMX_PROBE\n(.*?)^endef$", MAKEFILE, re.DOTALL | re.MULTILINE)
    assert found, "the Makefile's AMX probe"
    return found[1]


def _keep_stores() -> list[str]:
    found = re.search(r"^KEEP_STORES\s*:=(.*)$", MAKEFILE, re.MULTILINE)
    assert found, "the Makefile's flags for a compiler that drops the tile set-up's stores"
    return found[1].split()


def test_the_installed_llama_cpp_uses_amx_only_where_its_set_up_works(tmp_path: Path) -> None:
    xllamacpp = pytest.importorskip("xllamacpp")
    compiler = shutil.which("c++")
    if "amx_tile" not in _cpu_flags() or compiler is None:
        pytest.skip("no AMX on this processor, or no compiler to build the probe with")
    source = tmp_path / "amx-probe.cpp"
    source.write_text(_amx_probe())

    def works(*flags: str) -> bool:
        probe = tmp_path / "amx-probe"
        build = [compiler, "-O3", "-march=native", *flags, str(source), "-o", str(probe)]
        subprocess.run(build, check=True, timeout=120)  # noqa: S603 - the system's compiler, our own probe
        return subprocess.run([str(probe)], check=False, timeout=60).returncode == 0  # noqa: S603 - built above

    uses_amx = "AMX_INT8 = 1" in xllamacpp.get_system_info()
    assert not uses_amx or works() or works(*_keep_stores()), "llama.cpp uses AMX, whose set-up faults here"
