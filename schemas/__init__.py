"""The public contract of the API: what a client sends and what it gets back."""

from schemas.article import ArticleRequest
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
    "MatchKind",
    "Meta",
    "OpenIssue",
    "Participant",
    "ParticipantKind",
    "Precision",
    "Problem",
    "SummaryResponse",
    "Usage",
]
