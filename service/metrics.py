"""The model's and the pipeline's Prometheus metrics (served at `/metrics` by `service.api.metrics`, with
the HTTP requests by path, method and status from Litestar's Prometheus middleware).

Metrics live in prometheus_client's process-wide registry. With several worker processes, each has its
own: scrape each worker, or run one process per container (the Dockerfile does).
"""

from prometheus_client import Counter, Gauge, Histogram

PREFIX = "summarise"
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 90, 120, 180, 300)

model_calls = Counter(
    f"{PREFIX}_model_calls_total",
    "HTTP calls to the model server by outcome: answered, or the kind of failure.",
    ["outcome"],
)
model_call_seconds = Histogram(
    f"{PREFIX}_model_call_seconds", "Time of one HTTP call to the model server.", buckets=_LATENCY_BUCKETS
)
model_retries = Counter(f"{PREFIX}_model_retries_total", "Transient model-server failures that were retried.")
model_reasks = Counter(f"{PREFIX}_model_reasks_total", "Answers that failed validation and were asked again.")
model_tokens = Counter(f"{PREFIX}_model_tokens_total", "Tokens the model server reported.", ["kind"])
dropped_items = Counter(
    f"{PREFIX}_dropped_items_total", "Items the model gave that the article does not support.", ["kind"]
)
summaries = Counter(f"{PREFIX}_summaries_total", "Summaries by outcome: ok or the problem type.", ["outcome"])
summary_seconds = Histogram(
    f"{PREFIX}_summary_seconds", "Time to make one summary, queueing excluded.", buckets=_LATENCY_BUCKETS
)
summaries_running = Gauge(f"{PREFIX}_summaries_running", "Summaries asking the model now.")
summaries_queued = Gauge(f"{PREFIX}_summaries_queued", "Summaries waiting for a free slot.")

# Jobs, as the process that serves them sees them (updated every few seconds, and on /ready).
job_store_up = Gauge(f"{PREFIX}_job_store_up", "1 while the job store (Redis or the SQLite file) answers, else 0.")
jobs_waiting = Gauge(f"{PREFIX}_jobs_waiting", "Jobs queued and not running (all callers).")
jobs_oldest_waiting_seconds = Gauge(
    f"{PREFIX}_jobs_oldest_waiting_seconds", "How long the job that has waited longest has been queued."
)
jobs_stalled = Gauge(
    f"{PREFIX}_jobs_stalled",
    "1 while jobs wait and no worker anywhere has started one for SUMMARISE_JOB_STALL_S (dead or wedged workers).",
)
job_workers_alive = Gauge(f"{PREFIX}_job_workers_alive", "Job worker loops of this process still running.")


def set_admission(running: int, waiting: int) -> None:
    summaries_running.set(running)
    summaries_queued.set(waiting)
