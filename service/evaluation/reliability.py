"""Whether a higher confidence means more often right: items ordered by confidence, cut into thirds.

An item is a participant (right when the participants scoring matches it to a gold participant) or a subject
(right when it is one of the gold topics; one that counts neither way, an also-acceptable topic, is left
out, and so is an item without a confidence). The items are sorted by confidence, highest first (ties keep
the run's order: case by case, in each case the pipeline's own order), and cut by rank: the top third is the
first n // 3, the bottom third the last n // 3; with fewer than three items there are no thirds. A reliable
confidence has a larger share right in the top third than in the bottom one; each third's confidence range
is reported beside it, since ties on a cut put like items on both sides.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FIELDS = ("participants", "subjects")


@dataclass(frozen=True)
class Rated:
    field: str  # "participants" or "subjects"
    confidence: float
    right: bool


@dataclass(frozen=True)
class Third:
    right: int
    items: int
    lowest: float
    highest: float

    @property
    def share(self) -> float:
        return self.right / self.items if self.items else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "share": self.share}


@dataclass(frozen=True)
class Thirds:
    items: int
    top: Third
    bottom: Third

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "top": self.top.as_dict(), "bottom": self.bottom.as_dict()}


def _third(items: list[Rated]) -> Third:
    confidences = [item.confidence for item in items]
    return Third(sum(item.right for item in items), len(items), min(confidences), max(confidences))


def thirds(rated: Iterable[Rated]) -> Thirds | None:
    """The top and bottom thirds of the items by confidence; None when there are fewer than three."""
    ordered = sorted(rated, key=lambda item: -item.confidence)  # stable: ties keep their order
    size = len(ordered) // 3
    if not size:
        return None
    return Thirds(len(ordered), _third(ordered[:size]), _third(ordered[-size:]))


def by_field(rated: Iterable[Rated]) -> dict[str, Thirds | None]:
    items = list(rated)
    return {name: thirds(item for item in items if item.field == name) for name in FIELDS}
