"""The CRM as the assistant's directory: people with all their addresses and their company, names by word."""

from __future__ import annotations

import pytest

from crm_app.services import auth, crm
from crm_app.services.directory import CrmDirectory


@pytest.fixture
def directory(database) -> CrmDirectory:
    owner = auth.sign_up("owner@example.com", "long enough pw", "Owner").id
    crm.create_contact({"name": "Jane Roe", "emails": "jane@roe.io, j.roe@roe.io", "company": "Roe Inc"}, owner)
    crm.create_contact({"name": "Jim Roe", "emails": "jim@roe.io", "company": "Roe Inc"}, owner)
    crm.create_contact({"name": "Ann Freelance", "emails": "ann@free.example"}, owner)
    crm.create_company({"name": "North Roe Trading"}, owner)
    crm.create_deal({"title": "Roe pilot", "amount": "1000"}, owner)
    crm.create_deal({"title": "Acme renewal", "amount": "500"}, owner)
    return CrmDirectory()


def test_people_carry_every_address_primary_first_and_their_company(directory):
    [jane] = directory.find_contacts("Jane Roe")
    assert jane.name == "Jane Roe" and jane.emails == ("jane@roe.io", "j.roe@roe.io") and jane.company == "Roe Inc"
    assert [p.name for p in directory.find_contacts("J.ROE@roe.io")] == ["Jane Roe"]
    [ann] = directory.find_contacts("Ann")
    assert ann.company is None and ann.emails == ("ann@free.example",)
    assert sorted(p.name for p in directory.contacts_of_company("Roe Inc")) == ["Jane Roe", "Jim Roe"]


def test_companies_and_deals_match_by_the_start_of_a_word(directory):
    assert directory.find_companies("Roe Inc") == ["Roe Inc"]
    assert sorted(directory.find_companies("roe")) == ["North Roe Trading", "Roe Inc"]
    assert directory.find_deals("pilot") == ["Roe pilot"]
    assert directory.find_deals("oe") == [] and directory.find_companies("") == []
