from __future__ import annotations

from crm_app.services.record_inbox import MAX_PARTICIPANTS, RecordAddresses
from crm_app.state.record_inbox import record_of


def test_addresses_match_exactly_and_domains_as_whole_domains() -> None:
    who = RecordAddresses(("john.smith@acme.example",), ("globex.example",))
    assert who.matches("John.Smith@acme.example")
    assert who.matches("anyone@globex.example")
    assert not who.matches("john.smith@acme.example.evil")
    assert not who.matches("x@notglobex.example")
    assert not who.matches("maria.garcia@acme.example")


def test_participants_are_capped_and_say_so() -> None:
    many = RecordAddresses(tuple(f"p{i}@acme.example" for i in range(MAX_PARTICIPANTS)), ("acme.example",))
    assert len(many.participants) == MAX_PARTICIPANTS and many.truncated
    assert many.label.endswith(" and more")
    few = RecordAddresses(("a@b.example",), ("b.example",))
    assert few.participants == ["a@b.example", "b.example"] and not few.truncated and few.label == "a@b.example, b.example"


def test_record_pages_only() -> None:
    assert record_of("/contacts/12") == ("contact", 12)
    assert record_of("/companies/3/") == ("company", 3)
    assert record_of("/deals/7") == ("deal", 7)
    assert record_of("/contacts") is None
    assert record_of("/contacts/abc") is None
    assert record_of("/settings/1") is None
