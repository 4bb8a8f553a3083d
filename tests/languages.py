"""What a language's tests ask of the code, the same for every language (tests/unit/test_language_*.py)."""

from datetime import date

from service.core.dates import find_date_expressions, resolver_for


def dates_in(text: str, language: str, published: date) -> dict[str, tuple[date | None, date | None]]:
    """The date expressions code finds in `text`, each with the days it resolves to against `published`."""
    resolver = resolver_for(language)
    found = {}
    for start, end in find_date_expressions(text):
        resolved = resolver.resolve(text[start:end], published)
        found[text[start:end]] = (resolved.start, resolved.end) if resolved else (None, None)
    return found
