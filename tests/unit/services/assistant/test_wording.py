"""How actions read on their cards and in replies."""

from __future__ import annotations

from crm_app.services.assistant.wording import done_reply, proposal_summary, when_label
from crm_app.tools.base import ToolResult
from tests.unit.services.assistant.fakes import FakeTool


def test_a_model_proposed_send_shows_addresses_and_keeps_unknown_arguments_visible():
    tool = FakeTool("outlook_send_email", {"to": {}, "subject": {}, "importance": {}}, read_only=False)
    summary = proposal_summary(tool, {"to": [{"emailAddress": {"address": "a@x.io"}}, "b@x.io"], "subject": "Hi",
                                      "importance": "high"})
    assert summary == {"to": "a@x.io, b@x.io", "subject": "Hi", "text": "importance: high"}


def test_times_and_done_replies():
    assert when_label("2026-03-30T14:00:00", "2026-03-30T14:30:00") == "Monday 30 March 2026, 14:00–14:30"
    assert when_label("soon", None) == "soon"
    ok = ToolResult(ok=True, tool="t", source="crm", data={"status": "already_logged"})
    assert done_reply("crm.log_email", {}, ok) == "That email is already on the contact's timeline."
    assert done_reply("mail.send", {"subject": "Hi", "to": ["a@x.io"]}, ok).startswith("Sent “Hi” to a@x.io.")
    assert done_reply("teams.post", {}, ok) == "Posted to the channel."
