"""What can still be kept of an answer that failed: the complete items of one cut off at max_tokens,
and the last answer of a question whose every answer failed the strict check, parsed leniently.

Both validate with `LENIENT` as pydantic's context: validators that check an answer against the
article skip their check there, and the caller drops what the article does not support.
"""

from typing import Any, Final, TypeVar

import jiter
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

LENIENT: Final = {"lenient": True}


def is_lenient(context: object) -> bool:
    """True inside a lenient parse (for validators that check answers against outside facts)."""
    return isinstance(context, dict) and bool(context.get("lenient"))


def salvage_partial(content: str, response_model: type[T]) -> T | None:
    """Parse a cut-off JSON answer, dropping incomplete list items; None if nothing valid is left."""
    try:
        data = jiter.from_json(content.encode(), partial_mode="on")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for _ in range(100):  # each round removes at least one bad item
        try:
            return response_model.model_validate(data, context=LENIENT)
        except ValidationError as error:
            if not _drop_bad_items(data, error, response_model):
                return None
    return None


def lenient_parse(content: str, response_model: type[T]) -> T | None:
    """The answer validated without the check against the article; None when it is not valid even so."""
    try:
        return response_model.model_validate_json(content, context=LENIENT)
    except ValidationError:
        return None


def content_of(completion: object) -> str | None:
    """The JSON an answer carries: the tool call's arguments, or the message (unfenced)."""
    if not isinstance(completion, ChatCompletion) or not completion.choices:
        return None
    message = completion.choices[0].message
    if message.tool_calls:
        function = getattr(message.tool_calls[0], "function", None)
        return getattr(function, "arguments", None)
    content = (message.content or "").strip()
    if content.startswith("```"):  # MD_JSON answers come fenced
        content = content.strip("`").removeprefix("json").strip()
    return content or None


def _drop_bad_items(data: dict[str, Any], error: ValidationError, response_model: type[BaseModel]) -> bool:
    bad: set[tuple[str, int]] = set()
    changed = False
    for problem in error.errors():
        location = problem["loc"]
        if len(location) >= 2 and isinstance(location[0], str) and isinstance(location[1], int):
            bad.add((location[0], location[1]))
        elif len(location) == 1 and problem["type"] == "missing" and isinstance(location[0], str):
            annotation = response_model.model_fields[location[0]].annotation
            if getattr(annotation, "__origin__", None) is list or "list[" in str(annotation):
                data[location[0]] = []  # a list the answer never reached is empty
                changed = True
    for key, index in sorted(bad, reverse=True):
        if isinstance(data.get(key), list) and index < len(data[key]):
            del data[key][index]
            changed = True
    return changed
