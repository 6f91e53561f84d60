"""The test run's throw-away PostgreSQL server: tooling/pgserver.py (the load
benchmark starts one too), with the test settings (fsync off: nothing to keep)."""

from __future__ import annotations

from tooling.pgserver import PostgresServer, find_bin

__all__ = ["PostgresServer", "find_bin"]
