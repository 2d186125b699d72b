from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Activity, Company, Contact, ContactEmail
from crm_app.services import auth, crm
from crm_app.services.demo import seed_demo_workspace, tenant_data
from crm_app.services.errors import NotFound, ValidationFailed


@pytest.fixture
def user_id(database):
    return auth.sign_up("owner@example.com", "long enough pw", "Owner").id


def test_company_validation_and_crud(user_id):
    with pytest.raises(ValidationFailed) as exc:
        crm.create_company({"name": " ", "domain": "not a domain"}, user_id)
    assert set(exc.value.fields) == {"name", "domain"}
    c = crm.create_company({"name": "Roe Inc", "domain": "https://www.Roe.io/", "industry": "Retail"}, user_id)
    assert c["domain"] == "roe.io" and c["owner_id"] == user_id
    c2 = crm.update_company(c["id"], {"name": "Roe Incorporated", "domain": "roe.io"})
    assert c2["name"] == "Roe Incorporated"
    crm.delete_company(c["id"])
    with pytest.raises(NotFound):
        crm.get_company(c["id"])


def test_contact_with_several_emails_and_new_company(user_id):
    c = crm.create_contact({"name": "Jane Roe", "emails": "Jane@Roe.io, j.roe@roe.io", "company": "Roe Inc"}, user_id)
    assert c["first_name"] == "Jane" and c["last_name"] == "Roe"
    assert c["emails"] == ["jane@roe.io", "j.roe@roe.io"] and c["email"] == "jane@roe.io"
    assert c["company"] == "Roe Inc"
    assert crm.contacts_by_emails(["J.ROE@roe.io"])["j.roe@roe.io"]["id"] == c["id"]


def test_contact_validation_errors_save_nothing(user_id):
    with pytest.raises(ValidationFailed) as exc:
        crm.create_contact({"first_name": "", "emails": "bad-address", "phone": "call me", "title": "x" * 151,
                            "company": "Half Saved Ltd"}, user_id)
    assert set(exc.value.fields) >= {"first_name", "emails", "phone", "title"}
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 0
        assert s.exec(select(func.count()).select_from(Company)).one() == 0


def test_duplicate_email_is_refused_and_names_the_owner(user_id):
    crm.create_contact({"first_name": "Ann", "last_name": "One", "emails": "ann@acme.example"}, user_id)
    with pytest.raises(ValidationFailed) as exc:
        crm.create_contact({"first_name": "Ann", "last_name": "Two", "emails": "ANN@acme.example"}, user_id)
    assert "Ann One" in exc.value.fields["emails"]
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1


def test_update_contact_keeps_own_emails_and_replaces_them(user_id):
    c = crm.create_contact({"first_name": "Bo", "emails": "bo@x.example"}, user_id)
    c2 = crm.update_contact(c["id"], {"first_name": "Bo", "last_name": "Lee", "emails": "bo@x.example, bo.lee@x.example"})
    assert c2["emails"] == ["bo@x.example", "bo.lee@x.example"]
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(ContactEmail)).one() == 2


def test_contacts_search_sort_and_server_side_paging(user_id):
    acme = crm.create_company({"name": "Acme"}, user_id)
    for i in range(30):
        crm.create_contact({"first_name": f"P{i:02d}", "last_name": f"L{29 - i:02d}", "emails": f"p{i}@acme.example",
                            "company_id": acme["id"] if i % 2 else None}, user_id)
    page = crm.list_contacts(page=2, page_size=10)
    assert page.total == 30 and len(page.rows) == 10 and page.pages == 3
    assert page.rows[0]["last_name"] == "L10"
    desc = crm.list_contacts(sort="first_name", desc=True, page_size=5)
    assert [r["first_name"] for r in desc.rows] == ["P29", "P28", "P27", "P26", "P25"]
    assert crm.list_contacts(q="p7@acme").total == 1
    assert crm.list_contacts(q="acme").total == 30  # matches email domain or company
    assert crm.list_contacts(q="100%_").total == 0  # LIKE wildcards are escaped
    assert crm.list_contacts(page=99, page_size=10).rows == []


def test_deal_stages_probability_and_board(user_id):
    d = crm.create_deal({"title": "Big one", "amount": "12,500.50", "currency": "eur", "stage": "proposal"}, user_id)
    assert d["amount"] == "12500.50" and d["currency"] == "EUR" and d["probability"] == 50
    moved = crm.move_deal(d["id"], "negotiation")
    assert moved["stage"] == "negotiation" and moved["probability"] == 75
    with pytest.raises(ValidationFailed):
        crm.move_deal(d["id"], "maybe")
    with pytest.raises(ValidationFailed) as exc:
        crm.create_deal({"title": "", "amount": "-5", "currency": "XXX", "expected_close": "soon"}, user_id)
    assert set(exc.value.fields) == {"title", "amount", "currency", "expected_close"}
    crm.create_deal({"title": "Second", "amount": "1000", "currency": "USD", "stage": "negotiation"}, user_id)
    board = crm.deal_board()
    assert list(board) == ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
    assert board["negotiation"]["total"] == "EUR 12,500.50 · USD 1,000.00"  # never one sum across currencies
    assert board["negotiation"]["count"] == 2
    assert "Big one" in {d["title"] for d in board["negotiation"]["deals"]}
    assert moved["amount_display"] == "EUR 12,500.50"


def test_activities_timeline_and_cascade(user_id):
    comp = crm.create_company({"name": "Tl Co"}, user_id)
    c = crm.create_contact({"first_name": "Tim", "emails": "tim@tl.example", "company_id": comp["id"]}, user_id)
    crm.add_activity({"kind": "note", "body": "First call went well", "contact_id": c["id"]}, user_id)
    task = crm.add_activity({"kind": "task", "body": "Send pricing", "due_at": "2030-01-02", "contact_id": c["id"]}, user_id)
    assert task["due_at"].startswith("2030-01-02")
    with pytest.raises(ValidationFailed):
        crm.add_activity({"kind": "note", "body": "x" * (crm.MAX_TEXT + 1), "contact_id": c["id"]}, user_id)
    with pytest.raises(ValidationFailed):
        crm.add_activity({"kind": "note", "body": "orphan"}, user_id)
    assert [a["kind"] for a in crm.timeline(contact_id=c["id"])] == ["task", "note"]
    assert len(crm.timeline(company_id=comp["id"])) == 2  # a company's timeline includes its contacts'
    crm.set_task_done(task["id"], True)
    assert crm.timeline(contact_id=c["id"])[0]["done"] is True
    crm.delete_contact(c["id"])
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(Activity)).one() == 0


def test_datetimes_are_timezone_aware(user_id):
    c = crm.create_company({"name": "Tz Co"}, user_id)
    with session_scope() as s:
        row = s.get(Company, c["id"])
        assert row.created_at.tzinfo is not None
        assert abs((dt.datetime.now(dt.timezone.utc) - row.created_at).total_seconds()) < 60


def test_demo_seed_matches_the_sandbox_tenant_people(database):
    assert seed_demo_workspace() is True
    assert seed_demo_workspace() is False  # only into an empty CRM
    data = tenant_data()
    addresses = [e for c in data["contacts"] for e in c["emails"]]
    found = crm.contacts_by_emails(addresses)
    assert set(found) == set(addresses)
    assert len(crm.find_contacts("john")) == 2  # two Johns, for disambiguation
    assert {d["title"] for d in crm.find_deals("acme")} == {"Acme plant expansion"}
