"""CRM records, shared by the team that uses the install."""

from __future__ import annotations

import datetime as dt
import decimal
import enum

import sqlalchemy as sa
from sqlmodel import Field

from crm_app.db import UTCDateTime
from crm_app.models.base import Row, created_at_field, datetime_field, user_ref_field


class DealStage(str, enum.Enum):
    lead = "lead"
    qualified = "qualified"
    proposal = "proposal"
    negotiation = "negotiation"
    won = "won"
    lost = "lost"


PIPELINE: list[DealStage] = list(DealStage)
DEFAULT_PROBABILITY: dict[DealStage, int] = {
    DealStage.lead: 10,
    DealStage.qualified: 25,
    DealStage.proposal: 50,
    DealStage.negotiation: 75,
    DealStage.won: 100,
    DealStage.lost: 0,
}


class ActivityKind(str, enum.Enum):
    note = "note"
    task = "task"
    email = "email"
    meeting = "meeting"


class Company(Row, table=True):
    __tablename__ = "companies"

    name: str = Field(max_length=200, index=True)
    domain: str | None = Field(default=None, max_length=253, index=True)
    industry: str | None = Field(default=None, max_length=100)
    owner_id: int | None = user_ref_field()
    created_by_id: int | None = user_ref_field()
    created_at: dt.datetime = created_at_field()
    updated_at: dt.datetime = created_at_field()


class Contact(Row, table=True):
    __tablename__ = "contacts"
    __table_args__ = (sa.Index("ix_contacts_last_first", "last_name", "first_name"),)

    first_name: str = Field(max_length=100)
    last_name: str = Field(default="", max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    title: str | None = Field(default=None, max_length=150)
    company_id: int | None = Field(default=None, foreign_key="companies.id", index=True, ondelete="SET NULL")
    owner_id: int | None = user_ref_field()
    created_by_id: int | None = user_ref_field()
    created_at: dt.datetime = created_at_field()
    updated_at: dt.datetime = created_at_field()


class ContactEmail(Row, table=True):
    """A contact has several addresses; an address belongs to one contact."""

    __tablename__ = "contact_emails"

    contact_id: int = Field(foreign_key="contacts.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=320, unique=True, index=True)
    is_primary: bool = Field(default=False)


class Deal(Row, table=True):
    __tablename__ = "deals"

    title: str = Field(max_length=200, index=True)
    amount: decimal.Decimal = Field(default=decimal.Decimal("0"), sa_type=sa.Numeric(14, 2), nullable=False)
    currency: str = Field(default="USD", max_length=3)
    stage: DealStage = Field(default=DealStage.lead, sa_type=sa.String(20), index=True)
    probability: int = Field(default=10)
    expected_close: dt.date | None = Field(default=None)
    company_id: int | None = Field(default=None, foreign_key="companies.id", index=True, ondelete="SET NULL")
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True, ondelete="SET NULL")
    owner_id: int | None = user_ref_field()
    created_by_id: int | None = user_ref_field()
    created_at: dt.datetime = created_at_field()
    updated_at: dt.datetime = created_at_field()


class Activity(Row, table=True):
    """A note, task, logged email or meeting on a contact, company and/or deal."""

    __tablename__ = "activities"

    kind: ActivityKind = Field(sa_type=sa.String(20), index=True)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_type=sa.Text)
    occurred_at: dt.datetime = created_at_field()
    due_at: dt.datetime | None = datetime_field()
    done: bool = Field(default=False)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True, ondelete="CASCADE")
    company_id: int | None = Field(default=None, foreign_key="companies.id", index=True, ondelete="CASCADE")
    deal_id: int | None = Field(default=None, foreign_key="deals.id", index=True, ondelete="CASCADE")
    email_message_id: str | None = Field(default=None, max_length=300, index=True)
    email_web_link: str | None = Field(default=None, max_length=2000)
    created_by_id: int | None = user_ref_field()
    created_at: dt.datetime = created_at_field()


__all__ = [
    "Activity",
    "ActivityKind",
    "Company",
    "Contact",
    "ContactEmail",
    "DEFAULT_PROBABILITY",
    "Deal",
    "DealStage",
    "PIPELINE",
    "UTCDateTime",
    "datetime_field",
]
