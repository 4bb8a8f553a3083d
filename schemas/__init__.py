"""The public contract of the API: what a client sends and what it gets back."""

from schemas.article import ArticleRequest
from schemas.events import FoundEvent, FoundName, GroundedEvent, Span
from schemas.problem import Problem
from schemas.summary import (
    Concept,
    DateItem,
    Evidence,
    MatchKind,
    Meta,
    OpenIssue,
    Participant,
    ParticipantKind,
    Precision,
    Subject,
    SummaryResponse,
    Usage,
)

__all__ = [
    "ArticleRequest",
    "Concept",
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
    "Subject",
    "SummaryResponse",
    "Usage",
]
