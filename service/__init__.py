"""Structured summarisation service."""
