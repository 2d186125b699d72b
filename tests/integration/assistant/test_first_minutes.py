"""What a new user meets in the first minutes, through the real stack: recent files, the sender as a contact,
forwarding, logging an email, the team question and long result lists."""

from __future__ import annotations

import pytest

from tests.integration.assistant.conftest import fixed_now


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


async def test_recent_files_are_the_newest_files_across_the_drive(avery):
    turn = await avery.say("List my recent OneDrive files")
    assert avery.tools() == ["onedrive_recent_files"]
    assert turn.cards and {c["kind"] for c in turn.cards} == {"file"}
    assert all(c["is_folder"] == "" for c in turn.cards)
    stamps = [c["modified"] for c in turn.cards]
    assert stamps == sorted(stamps, reverse=True)
    assert "recent" in turn.text
