"""Article in, SummaryResponse out: no web framework, no cache, no metrics."""
