"""The demo workspace: CRM records whose people match the Microsoft 365 sandbox's demo tenant."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Company
from crm_app.services import auth, crm
from crm_app.services.errors import ValidationFailed

TENANT_FILE = Path(__file__).resolve().parents[1] / "demo_data" / "tenant.json"
DEMO_ACCOUNT_EMAIL = "demo@northwind.example"
DEMO_ACCOUNT_PASSWORD = "northwind-demo"


def tenant_data() -> dict[str, Any]:
    return json.loads(TENANT_FILE.read_text(encoding="utf-8"))


def seed_demo_workspace(*, with_account: bool = True) -> bool:
    """Seed companies, contacts, deals and a few activities once (only into an empty CRM)."""
    with session_scope() as s:
        if s.exec(select(func.count()).select_from(Company)).one() > 0:
            return False
    data = tenant_data()
    owner_id = None
    if with_account:
        try:
            owner_id = auth.sign_up(DEMO_ACCOUNT_EMAIL, DEMO_ACCOUNT_PASSWORD, "Avery Chen", "Europe/London").id
        except ValidationFailed:
            owner_id = None
    companies = {c["name"]: crm.create_company(c, owner_id) for c in data["companies"]}
    contacts: dict[str, dict[str, Any]] = {}
    for c in data["contacts"]:
        row = crm.create_contact({**c, "company_id": companies[c["company"]]["id"]}, owner_id)
        for e in c["emails"]:
            contacts[e] = row
    today = dt.date.today()
    for d in data["deals"]:
        deal = crm.create_deal(
            {
                "title": d["title"], "amount": d["amount"], "currency": d["currency"], "stage": d["stage"],
                "expected_close": (today + dt.timedelta(days=d["close_in_days"])).isoformat(),
                "company_id": companies[d["company"]]["id"], "contact_id": contacts[d["contact"]]["id"],
            },
            owner_id,
        )
        crm.add_activity(
            {"kind": "note", "subject": "Deal opened", "body": f"{d['title']} added to the pipeline.", "deal_id": deal["id"],
             "company_id": deal["company_id"], "contact_id": deal["contact_id"]},
            owner_id,
        )
    crm.add_activity(
        {"kind": "task", "subject": "Send the revised proposal", "body": "Include the phased rollout option.",
         "due_at": (today + dt.timedelta(days=3)).isoformat(), "contact_id": contacts["john.smith@acme.example"]["id"]},
        owner_id,
    )
    return True


def demo_account() -> tuple[str, str] | None:
    """The seeded demo account's address and password in the demo setup; None outside it."""
    from crm_app.settings import get_settings

    return (DEMO_ACCOUNT_EMAIL, DEMO_ACCOUNT_PASSWORD) if get_settings().is_demo else None
