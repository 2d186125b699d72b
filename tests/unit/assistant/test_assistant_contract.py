"""The plan contract: validation, side effects, determinism, import cost."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm_app.assistant.intents import (
    Intent,
    InvalidContextError,
    ParseContext,
    Plan,
    ResultRef,
    is_side_effect,
)
from crm_app.assistant.offline.directory import DirectoryDataError, InMemoryDirectory

from .conftest import ROOT


def test_side_effect_intents() -> None:
    for intent in (
        "mail.send",
        "mail.reply",
        "calendar.create",
        "files.share",
        "teams.post",
        "crm.deal.move",
        "crm.log_email",
    ):
        assert is_side_effect(intent)
    for intent in (
        "mail.search",
        "mail.get",
        "calendar.list",
        "clarify",
        "unsupported",
        "help",
    ):
        assert not is_side_effect(intent)
    assert not is_side_effect("no.such.intent")
    assert Plan(Intent.MAIL_SEND).side_effect


def test_context_needs_an_aware_time(directory: InMemoryDirectory) -> None:
    with pytest.raises(InvalidContextError, match="timezone-aware"):
        ParseContext(
            now=datetime(2026, 3, 25, 10, 30),
            tz=ZoneInfo("Europe/London"),
            directory=directory,
        )


def test_context_converts_now_to_the_users_zone(directory: InMemoryDirectory) -> None:
    ctx = ParseContext(
        now=datetime(2026, 7, 1, 12, 0, 0, 123456, tzinfo=ZoneInfo("UTC")),
        tz=ZoneInfo("Europe/London"),
        directory=directory,
    )
    assert ctx.now.isoformat() == "2026-07-01T13:00:00+01:00"


def test_result_kinds_are_checked() -> None:
    with pytest.raises(InvalidContextError, match="Unknown result kind"):
        ResultRef("fax", "1", "x")


def test_directory_file_errors_say_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DirectoryDataError, match="Check the path"):
        InMemoryDirectory.from_file(tmp_path / "missing.json")
    with pytest.raises(DirectoryDataError, match="first_name"):
        InMemoryDirectory.from_tenant({"contacts": [{"emails": []}]})


def test_parse_is_deterministic(run) -> None:  # type: ignore[no-untyped-def]
    first = run("Schedule a meeting with the team next Monday at 2pm")
    second = run("Schedule a meeting with the team next Monday at 2pm")
    assert first == second
    assert first.args["time_zone"] == "Europe/London"
    assert first.explanation


def test_package_import_is_light() -> None:
    code = (
        "import sys, crm_app.assistant as a; "
        "heavy = [m for m in ('rapidfuzz', 'dateutil', 'crm_app.assistant.parser') if m in sys.modules]; "
        "print(heavy); "
        "from crm_app.assistant import parse, InMemoryDirectory; print(callable(parse))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.splitlines() == ["[]", "True"]
