"""Grounding: what the article supports, checked in two places that share one rule.

- While a grounded question is asked, its answers are validated against the article (`checked_against`):
  an answer naming something the article does not contain is rejected with a message that lists each
  one, and the model is re-asked (the validators of `questions.py`).
- When every answer failed, or one was cut off, the model layer keeps what is valid leniently, and the
  grounder (`Grounder`, below) turns the model's items into contract items, dropping what it cannot locate.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from service.core.alignment import ArticleText

# The article the answers of the question being asked are checked against. Not instructor's `context=`:
# given one, instructor renders every message as a Jinja template, and an article containing
# "{{ 7*7 }}" would reach the model as "49" (or "{% if %}" fail the request).
_article: ContextVar[ArticleText | None] = ContextVar("grounding_article", default=None)


@contextmanager
def checked_against(article: ArticleText) -> Iterator[None]:
    token = _article.set(article)
    try:
        yield
    finally:
        _article.reset(token)


def article_to_check() -> ArticleText | None:
    return _article.get()
