"""`/metrics`: Prometheus text of the process-wide registry (ours in `service.metrics`, and Litestar's
per-request counters and latency histograms)."""

from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from service.metrics import PREFIX


def http_metrics_config() -> PrometheusConfig:
    # group_path: label by route template, not by raw path, so that probing random URLs adds no series.
    return PrometheusConfig(app_name="summarise", prefix=PREFIX, group_path=True, exclude=["^/metrics"])


class MetricsController(PrometheusController):
    path = "/metrics"
    openmetrics_format = False
    include_in_schema = False  # Prometheus text, not part of the JSON API
