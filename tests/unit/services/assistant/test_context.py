"""Follow-ups point at an earlier result by id, by position, or as the only one of its kind."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent, Plan
from crm_app.services.assistant.context import referenced
from crm_app.services.assistant.turn import TurnFailed, TurnState

EARLIER = [{"kind": "email", "id": "m1"}, {"kind": "file", "id": "f1"}, {"kind": "email", "id": "m2"}]


def test_a_reference_by_id_position_or_message_id():
    st = TurnState(last_results=EARLIER)
    assert referenced(st, Plan(Intent.MAIL_GET, {"ref": {"id": "m2"}}))["id"] == "m2"
    assert referenced(st, Plan(Intent.MAIL_GET, {"ref": {"index": 0}}))["id"] == "m1"
    assert referenced(st, Plan(Intent.MAIL_GET, {"message_id": "direct"})) == {"id": "direct"}
    assert referenced(st, Plan(Intent.FILES_READ, {"ref": {}}), "file")["id"] == "f1"


def test_an_ambiguous_or_wrong_kind_reference_asks_instead_of_guessing():
    st = TurnState(last_results=EARLIER)
    with pytest.raises(TurnFailed, match="which email you mean"):
        referenced(st, Plan(Intent.MAIL_GET, {"ref": {}}))
    with pytest.raises(TurnFailed, match="which email you mean"):
        referenced(st, Plan(Intent.MAIL_GET, {"ref": {"index": 1}}))
    with pytest.raises(TurnFailed, match="which event you mean"):
        referenced(TurnState(), Plan(Intent.MAIL_GET, {"ref": {}}), "event")
