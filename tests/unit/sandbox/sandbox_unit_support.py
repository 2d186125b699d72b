"""Constants shared by the sandbox unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

PINNED_NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
