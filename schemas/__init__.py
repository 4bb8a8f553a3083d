"""The public contract of the API: what a client sends and what it gets back."""

from schemas.article import ArticleRequest
from schemas.events import FoundEvent, FoundName, GroundedEvent, Span
from schemas.problem import Problem
from schemas.summary import (
    DateItem,
    Evidence,
    MatchKind,
    Meta,
    OpenIssue,
    Participant,
    ParticipantKind,
    Precision,
    SummaryResponse,
    Usage,
)

__all__ = [
    "ArticleRequest",
    "DateItem",
    "Evidence",
    "FoundEvent",
    "FoundName",
    "GroundedEvent",
    "MatchKind",
    "Meta",
    "OpenIssue",
    "Participant",
    "ParticipantKind",
    "Precision",
    "Problem",
    "Span",
    "SummaryResponse",
    "Usage",
]
