"""Structured logs: JSON lines through structlog (the request lines and ids: `service.api.requests`).

What is logged: one line per request (method, path, status, duration, key id), one per model answer
(question, latency, answers, retries, tokens), one per summary. What never is: the article's text, the
model's prompt or answer, API keys or the Authorization header. Standard-library loggers (uvicorn, httpx)
go through the same renderer.
"""

import logging
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from service.settings import Settings

_OUR_HANDLER = "summarise-json"

log = structlog.get_logger("summarise")
# Tracebacks as data, without the frames' local variables: those hold Authorization headers, key hashes,
# webhook secrets and article text (structlog's `dict_tracebacks` shows them all).
_TRACEBACKS = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def configure_logging(settings: Settings) -> None:
    """Route structlog and the standard library through one renderer (idempotent: apps made in tests)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _TRACEBACKS if settings.log_json else structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.set_name(_OUR_HANDLER)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != _OUR_HANDLER] + [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):  # through ours, not uvicorn's own handlers
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our request line carries the request id
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per model answer is ours
