"""What a confirmation changes: the user's edits, and which failures may be confirmed again."""

from __future__ import annotations

import json

from crm_app.services.assistant.confirmations import apply_edits, editable, refused_for_now
from crm_app.tools.base import ToolResult


def failed_with(status: int | None) -> ToolResult:
    text = json.dumps({"error": {"code": "X", "status": status, "message": "no"}}) + "\nno"
    return ToolResult(ok=False, tool="send", source="ms365", text=text, error_message="no")


def test_edits_become_canonical_arguments_and_unknown_fields_are_dropped():
    edits = {"to": "a@x.io; b@x.io,\nc@x.io", "subject": "S", "password": "nope"}
    assert apply_edits("mail.send", edits) == {"to": ["a@x.io", "b@x.io", "c@x.io"], "subject": "S"}
    assert apply_edits("mail.reply", {"body": "Thanks"}) == {"body": "Thanks", "comment": "Thanks"}
    assert editable(edits) == {"to": edits["to"], "subject": "S"}


def test_only_throttled_or_unavailable_refusals_may_be_confirmed_again():
    assert refused_for_now(failed_with(429)) and refused_for_now(failed_with(503))
    assert not refused_for_now(failed_with(400)) and not refused_for_now(failed_with(None))
    assert not refused_for_now(ToolResult(ok=False, tool="send", source="ms365", text="plain failure"))
