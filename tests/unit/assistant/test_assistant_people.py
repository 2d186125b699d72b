"""People come from CRM contacts: one match gives an address, several give a question."""

from __future__ import annotations

from crm_app.assistant.intents import Intent
from crm_app.assistant.offline.directory import InMemoryDirectory
from crm_app.assistant.offline.people import resolve_people

JOHN_SMITH = "john.smith@acme.example"
JOHN_BAKER = "john.baker@globex.example"


def test_single_contact_resolves_to_primary_address(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("email Maria about the contract")
    assert plan.intent is Intent.MAIL_SEND
    assert plan.args["to"] == ["maria.garcia@acme.example"]
    assert plan.args["subject"] == "the contract"


def test_two_johns_become_a_question_with_both(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("email John about the contract")
    assert plan.intent is Intent.CLARIFY
    assert plan.args["candidates"] == [JOHN_SMITH, JOHN_BAKER]
    assert len(plan.options) == 2
    assert any("Acme" in option for option in plan.options)
    assert plan.question and "John" in plan.question


def test_explicit_address_wins_over_names(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("email john@company.com about lunch")
    assert plan.args["to"] == ["john@company.com"]
    assert plan.intent is Intent.MAIL_SEND


def test_unknown_name_is_kept_not_guessed(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("email Priya about the invoice")
    assert plan.intent is Intent.MAIL_SEND
    assert plan.args["to_names"] == ["Priya"]
    assert "to" not in plan.args


def test_groups_stay_names(directory: InMemoryDirectory) -> None:
    people = resolve_people("the finance team and John Smith", directory)
    assert people.names == ["finance team"]
    assert people.addresses == [JOHN_SMITH]
    assert resolve_people("the team", directory).names == ["the team"]


def test_company_phrases_for_senders(directory: InMemoryDirectory) -> None:
    assert resolve_people(
        "Acme's contacts", directory, allow_company=True
    ).companies == ["Acme Corporation"]
    assert resolve_people(
        "people at Globex", directory, allow_company=True
    ).companies == ["Globex"]
    assert resolve_people("Globex", directory, allow_company=True).companies == [
        "Globex"
    ]
    assert resolve_people("Globex", directory).names == ["Globex"]


def test_directory_matching_ignores_case_accents_and_apostrophes(
    directory: InMemoryDirectory,
) -> None:
    assert [p.name for p in directory.find_contacts("tomas")] == ["Tomás Silva"]
    assert [p.name for p in directory.find_contacts("liam obrien")] == ["Liam O'Brien"]
    assert [p.name for p in directory.find_contacts("john.baker@globex.example")] == [
        "John Baker"
    ]
    assert directory.find_companies("acme corp") == ["Acme Corporation"]
    assert directory.find_deals("globex renewal") == ["Globex renewal 2027"]
    assert {p.name for p in directory.contacts_of_company("Acme")} == {
        "John Smith",
        "Maria Garcia",
    }


def test_sender_resolution_in_search(run) -> None:  # type: ignore[no-untyped-def]
    assert run("emails from John Baker").args["sender"] == JOHN_BAKER
    assert (
        run("emails from Acme's contacts").args["sender_company"] == "Acme Corporation"
    )
    assert run("emails from Ravi Menon").args["sender_name"] == "Ravi Menon"
    plan = run("show me emails from john")
    assert (
        plan.intent is Intent.CLARIFY and plan.args["pending_intent"] == "mail.search"
    )


def test_attendees_for_a_meeting(run) -> None:  # type: ignore[no-untyped-def]
    plan = run(
        "schedule a meeting with Hannah Okafor and the finance team tomorrow at 10am"
    )
    assert plan.intent is Intent.CALENDAR_CREATE
    assert plan.args["attendees"] == ["hannah.okafor@globex.example"]
    assert plan.args["attendee_names"] == ["finance team"]
