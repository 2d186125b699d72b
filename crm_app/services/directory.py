"""The CRM as the assistant's directory of people, companies and deals (database-backed)."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import select

from crm_app.assistant.intents import Person
from crm_app.assistant.offline.directory import name_key, name_matches
from crm_app.db import session_scope
from crm_app.models import Company, Contact, ContactEmail, Deal

CANDIDATE_LIMIT = 200


def _best(query: str, names: list[str]) -> list[str]:
    matching = [n for n in names if name_matches(query, n)]
    exact = [n for n in matching if name_key(n) == name_key(query)]
    return list(dict.fromkeys(exact or matching))


def _first_word(query: str) -> str:
    words = name_key(query).split()
    return words[0] if words else ""


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
            people = [self._person(s, c) for c in rows]
        if "@" in key:
            return people
        wanted = set(_best(name, [p.name for p in people]))
        return [p for p in people if p.name in wanted]

    @staticmethod
    def _person(s, c: Contact) -> Person:
        emails = tuple(e.email for e in s.exec(select(ContactEmail).where(ContactEmail.contact_id == c.id)
                                                .order_by(ContactEmail.is_primary.desc(), ContactEmail.id)).all())
        company = s.get(Company, c.company_id).name if c.company_id else None
        return Person(name=f"{c.first_name} {c.last_name}".strip(), emails=emails, company=company)

    def find_companies(self, name: str) -> list[str]:
        w = _first_word(name)
        if not w:
            return []
        with session_scope() as s:
            names = list(s.exec(select(Company.name).where(or_(func.lower(Company.name).like(f"{w}%"),
                                                               func.lower(Company.name).like(f"% {w}%")))
                                .limit(CANDIDATE_LIMIT)).all())
        return _best(name, names)

    def find_deals(self, name: str) -> list[str]:
        w = _first_word(name)
        if not w:
            return []
        with session_scope() as s:
            titles = list(s.exec(select(Deal.title).where(or_(func.lower(Deal.title).like(f"{w}%"),
                                                              func.lower(Deal.title).like(f"% {w}%")))
                                 .limit(CANDIDATE_LIMIT)).all())
        return _best(name, titles)

    def contacts_of_company(self, name: str) -> list[Person]:
        companies = self.find_companies(name)
        if not companies:
            return []
        with session_scope() as s:
            ids = list(s.exec(select(Company.id).where(Company.name.in_(companies))).all())
            rows = s.exec(select(Contact).where(Contact.company_id.in_(ids)).limit(CANDIDATE_LIMIT)).all()
            return [self._person(s, c) for c in rows]
