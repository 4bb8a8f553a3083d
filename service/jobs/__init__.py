"""Asynchronous jobs: one job model, one run-one-job step, SQLite and Redis stores, webhook delivery."""
