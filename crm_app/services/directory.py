"""The CRM as the assistant's directory of people, companies and deals (database-backed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import select

from crm_app.assistant.intents import Person
from crm_app.assistant.offline.directory import name_key, name_matches
from crm_app.db import session_scope
from crm_app.models import Company, Contact, ContactEmail, Deal
from crm_app.services.crm import emails_for

CANDIDATE_LIMIT = 200


def _best(query: str, names: list[str]) -> list[str]:
    matching = [n for n in names if name_matches(query, n)]
    exact = [n for n in matching if name_key(n) == name_key(query)]
    return list(dict.fromkeys(exact or matching))


def _first_word(query: str) -> str:
    words = name_key(query).split()
    return words[0] if words else ""


def _names_like(column: Any, query: str) -> list[str]:
    """Values of a name column with a word starting like the query's first word, best matches first."""
    w = _first_word(query)
    if not w:
        return []
    with session_scope() as s:
        starts_a_word = or_(func.lower(column).like(f"{w}%"), func.lower(column).like(f"% {w}%"))
        found = list(s.exec(select(column).where(starts_a_word).limit(CANDIDATE_LIMIT)).all())
    return _best(query, found)


class CrmDirectory:
    """Matches names the way the offline parser expects: every query word starts a word of the name."""

    def find_contacts(self, name: str) -> list[Person]:
        key = name_key(name)
        if not key:
            return []
        with session_scope() as s:
            if "@" in key:
                rows = s.exec(select(Contact).join(ContactEmail, ContactEmail.contact_id == Contact.id)
                              .where(func.lower(ContactEmail.email) == name.strip().lower())).all()
            else:
                w = _first_word(name)
                rows = s.exec(select(Contact).where(or_(func.lower(Contact.first_name).like(f"{w}%"),
                                                        func.lower(Contact.last_name).like(f"{w}%"),
                                                        func.lower(Contact.last_name).like(f"% {w}%")))
                              .limit(CANDIDATE_LIMIT)).all()
            people = self._people(s, rows)
        if "@" in key:
            return people
        wanted = set(_best(name, [p.name for p in people]))
        return [p for p in people if p.name in wanted]

    @staticmethod
    def _people(s, contacts: Sequence[Contact]) -> list[Person]:
        """The contacts as directory people, their addresses and companies read in one query each."""
        emails = emails_for(s, [c.id for c in contacts])
        company_ids = {c.company_id for c in contacts if c.company_id}
        companies: dict[int | None, str] = {}
        if company_ids:
            companies.update(s.exec(select(Company.id, Company.name).where(Company.id.in_(company_ids))).all())
        return [Person(name=f"{c.first_name} {c.last_name}".strip(), emails=tuple(emails[c.id]),
                       company=companies.get(c.company_id), title=c.title) for c in contacts]

    def find_companies(self, name: str) -> list[str]:
        return _names_like(Company.name, name)

    def find_deals(self, name: str) -> list[str]:
        return _names_like(Deal.title, name)

    def contacts_of_company(self, name: str) -> list[Person]:
        companies = self.find_companies(name)
        if not companies:
            return []
        with session_scope() as s:
            ids = list(s.exec(select(Company.id).where(Company.name.in_(companies))).all())
            rows = s.exec(select(Contact).where(Contact.company_id.in_(ids)).limit(CANDIDATE_LIMIT)).all()
            return self._people(s, rows)
