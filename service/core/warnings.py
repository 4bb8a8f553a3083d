"""What a summary leaves out or could not do, as data (kind, item, reason) until `Meta` shows it as text.

The service layer counts the drops by kind, the eval counts items without evidence, and neither parses
the sentences a client reads in `meta.warnings`.
"""

from dataclasses import dataclass
from enum import StrEnum


class WarningKind(StrEnum):
    ignored_input = "ignored-input"  # a field of the request the service did not use
    no_publication_date = "no-publication-date"
    no_named_entities = "no-named-entities"  # no NER pipeline for the article's language: model-first
    addressed_line = "addressed-line"  # text that speaks to the summariser, not the reader
    rejected_answer = "rejected-answer"  # no answer to a question passed the grounding check
    cut_off_answer = "cut-off-answer"  # an answer cut off at max_tokens: only its complete items kept
    dropped_participant = "dropped-participant"
    dropped_open_issue = "dropped-open-issue"
    dropped_subject = "dropped-subject"  # a subject term no Media Topic matches, or no sentence speaks of
    unsupported_summary = "unsupported-summary"  # a sentence with a name or number, or most words, not the article's
    unsupported_summary_kept = "unsupported-summary-kept"  # ... in every sentence: the summary kept, said
    summary_language = "summary-language"  # the summary is not in the article's language
    summary_of_itself = "summary-of-itself"  # a sentence that tells of the article, not the news: dropped
    unfinished_summary = "unfinished-summary"  # its last sentence stops midway: dropped, or kept and said
    headless_summary = "headless-summary"  # a sentence that starts midway, the rest of the one before: dropped
    estimated_tokens = "estimated-tokens"  # parts sized by an estimate: the server counts no tokens for us
    mode_switched = "mode-switched"  # the server refused our request shape: asked in the next mode its family takes

    @property
    def of_the_request(self) -> bool:
        """Said of the request, not of the article: a cached summary gets the new request's instead."""
        return self in (WarningKind.ignored_input, WarningKind.no_publication_date)

    @property
    def dropped(self) -> str | None:
        """The kind of item dropped ('participant', 'open_issue'), for a dropped-item warning."""
        return self.value.removeprefix("dropped-").replace("-", "_") if self.value.startswith("dropped-") else None


# The documented sentences, one per kind: `item` is what the warning is about, `reason` why.
_TEXT = {
    WarningKind.ignored_input: "{reason}",
    WarningKind.no_publication_date: "{reason}",
    WarningKind.no_named_entities: "language {item!r}: {reason}",
    WarningKind.addressed_line: "characters {item} {reason}",
    WarningKind.rejected_answer: "{item}: {reason}",
    WarningKind.cut_off_answer: "{item}: {reason}",
    WarningKind.dropped_participant: "dropped participant {item!r}: {reason}",
    WarningKind.dropped_open_issue: "dropped open issue {item!r}: {reason}",
    WarningKind.dropped_subject: "dropped subject {item!r}: {reason}",
    WarningKind.unsupported_summary: "summary: dropped the sentence {item!r}: {reason}",
    WarningKind.unsupported_summary_kept: "summary {item!r}: {reason} (no sentence without it to keep)",
    WarningKind.summary_language: "summary: not in {item}, the article's language: {reason}",
    WarningKind.summary_of_itself: "summary: dropped the sentence {item!r}: {reason}",
    WarningKind.unfinished_summary: "summary: the sentence {item!r} stops midway: {reason}",
    WarningKind.headless_summary: "summary: the part {item!r}… starts mid-sentence: {reason}",
    WarningKind.estimated_tokens: "{item}: {reason}",
    WarningKind.mode_switched: "SUMMARISE_MODE={item}: {reason}",
}


@dataclass(frozen=True)
class SummaryWarning:
    kind: WarningKind
    item: str
    reason: str

    def text(self) -> str:
        return _TEXT[self.kind].format(item=self.item, reason=self.reason)
