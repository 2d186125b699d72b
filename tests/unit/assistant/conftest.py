"""Fixtures for the assistant parser tests: the demo directory and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crm_app.assistant.intents import ParseContext, Plan, ResultRef
from crm_app.assistant.offline.directory import InMemoryDirectory
from crm_app.assistant.parser import parse

ROOT = Path(__file__).resolve().parents[3]
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 25, 10, 30, tzinfo=LONDON)

Parse = Callable[..., Plan]


@pytest.fixture(scope="session")
def directory() -> InMemoryDirectory:
    return InMemoryDirectory.from_file(ROOT / "crm_app" / "demo_data" / "tenant.json")


@pytest.fixture
def run(directory: InMemoryDirectory) -> Parse:
    """Parse a message at NOW in London, optionally with earlier results and messages."""

    def _run(
        text: str,
        *,
        now: datetime = NOW,
        tz: ZoneInfo = LONDON,
        last_results: list[ResultRef] | None = None,
        history: list[str] | None = None,
    ) -> Plan:
        ctx = ParseContext(
            now=now,
            tz=tz,
            directory=directory,
            last_results=last_results or [],
            history=history or [],
        )
        return parse(text, ctx)

    return _run


@pytest.fixture
def one_email() -> list[ResultRef]:
    return [
        ResultRef(
            "email", "msg-1", "Quarterly report draft — John Smith", preview_only=True
        )
    ]


@pytest.fixture
def three_emails() -> list[ResultRef]:
    return [
        ResultRef(
            "email", "msg-1", "Plant expansion timeline — John Smith", preview_only=True
        ),
        ResultRef("email", "msg-2", "Pricing update — Maria Garcia", preview_only=True),
        ResultRef("email", "msg-3", "Renewal terms — Hannah Okafor", preview_only=True),
    ]
