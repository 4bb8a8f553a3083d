"""Scoring against gold cases, runs and reports, and the naive one-call baseline."""
