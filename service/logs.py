"""Structured logs: JSON lines through structlog (the request lines and ids: `service.api.requests`).

What is logged: one line per request (method, path, status, duration, key id), one per model answer
(question, latency, answers, retries, tokens), one per summary. What never is: the article's text, the
model's prompt or answer, API keys or the Authorization header, a URL's userinfo or query (`shown_url`).
Standard-library loggers (uvicorn, httpx, openai) go through the same renderer.
"""

import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict

from service.settings import LogSettings

_OUR_HANDLER = "summarise-json"

log = structlog.get_logger("summarise")
# Tracebacks as data, without the frames' local variables: those hold Authorization headers, key hashes,
# webhook secrets and article text (structlog's `dict_tracebacks` shows them all).
_TRACEBACKS = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def configure_logging(settings: LogSettings) -> None:
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
            _urls_shown,  # last before rendering: the traceback's messages included
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
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # "Building index" at debug, once a language


def shown_url(url: str) -> str:
    """A URL as it may be shown (problems, `/ready`, logs): without userinfo, query or fragment, which
    carry credentials (`http://user:secret@host/v1?key=...`). Not a URL: returned as it is."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        return "<a URL that does not parse>"
    if not parts.scheme or not parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _urls_shown(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """Every URL in a log line, shown redacted: libraries (openai at DEBUG, httpx errors) print the URL
    they were given, credentials and all."""
    return {key: _redacted(value) for key, value in event_dict.items()}


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return _URL.sub(lambda match: shown_url(match.group()), value) if "://" in value else value
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(item) for item in value]
    return value
