"""Substring search over contacts, companies and deals, served by the search indexes.

Each search is the same case-insensitive ``LIKE '%q%'`` test on the same columns as a plain scan, so
it finds exactly the same rows; what changes is how the database finds them. On SQLite an FTS5
trigram table first narrows the rows to those holding the query's trigrams and the LIKE test then
runs on those alone; on PostgreSQL the planner serves the LIKE tests from pg_trgm GIN indexes.
Each condition is ``<id> IN (<ids of matching rows>)``, so a search over several tables is a union
of index lookups rather than one scan with subqueries in an OR. On PostgreSQL the contacts' union is
written ``id = ANY(ARRAY(<union>))``, which the planner runs first and then reads by primary key.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import Session, select

from crm_app.models import Company, Contact, ContactEmail, Deal
from crm_app.models.search import (
    FTS_MIN_CHARS,
    companies_fts,
    contact_emails_fts,
    contacts_fts,
    deals_fts,
)

SPACE = sa.literal_column("' '")  # a literal, so PostgreSQL matches the full-name index's expression


def like_pattern(q: str) -> str:
    """``%q%`` with LIKE's wildcards in ``q`` escaped (ESCAPE '\\')."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ilike(column, q: str):
    return column.ilike(like_pattern(q), escape="\\")


def full_name():
    return func.lower(Contact.first_name + SPACE + Contact.last_name)


def _phrase(q: str, column: str | None = None) -> str:
    """An FTS5 query for ``q`` as one phrase (every character literal), optionally in one column."""
    quoted = '"' + q.replace('"', '""') + '"'
    return f"{{{column}}} : {quoted}" if column else quoted


def _ids(s: Session, out, pk, cond, fts, q: str, column: str | None = None):
    """``SELECT out WHERE cond`` over one table; on SQLite, only among the rows its FTS table matches."""
    stmt = select(out).where(cond)
    if s.get_bind().dialect.name == "sqlite" and len(q) >= FTS_MIN_CHARS:
        matches = sa.literal_column(fts.name).op("MATCH")(sa.bindparam(None, _phrase(q, column), type_=sa.String))
        candidates = sa.select(fts.c.rowid).where(matches)
        stmt = stmt.where(pk.in_(candidates))
    return stmt


def company_name_ids(s: Session, q: str):
    """Ids of companies whose name holds ``q``."""
    return _ids(s, Company.id, Company.id, ilike(Company.name, q), companies_fts, q, "name")


def company_condition(s: Session, q: str):
    """Companies whose name, domain or industry holds ``q``."""
    cond = or_(ilike(Company.name, q), ilike(Company.domain, q), ilike(Company.industry, q))
    return Company.id.in_(_ids(s, Company.id, Company.id, cond, companies_fts, q))


def contact_condition(s: Session, q: str):
    """Contacts whose first, last or full name, any email address or company name holds ``q``."""
    # A first or last name holding q is a full name holding q, so one indexed expression serves all
    # three: lowered by the database (as ILIKE on a name is) and lowered here (as the full name is).
    full, pattern = full_name(), like_pattern(q)
    names = or_(full.like(func.lower(pattern), escape="\\"), full.like(pattern.lower(), escape="\\"))
    by_name = _ids(s, Contact.id, Contact.id, names, contacts_fts, q)
    by_email = _ids(s, ContactEmail.contact_id, ContactEmail.id, ilike(ContactEmail.email, q), contact_emails_fts, q)
    by_company = select(Contact.id).where(Contact.company_id.in_(company_name_ids(s, q)))
    ids = sa.union(by_name, by_email, by_company)
    if s.get_bind().dialect.name == "postgresql":
        return _any_of(Contact.id, ids)
    return Contact.id.in_(ids)


def _any_of(column, ids):
    """``column IN ids`` as PostgreSQL's ``column = ANY(ARRAY(ids))``.

    The array is computed once, before the outer query runs, and the planner estimates it at a
    handful of values; so the matching rows are read by index lookups on ``column`` and then sorted.
    An ``IN`` semijoin is instead planned from the union's estimated size, and a large estimate turns
    it into a hash join over a scan of the whole table, or into walking the sort order's index
    until a page fills, which is slow when the matches sit together late in that order (as a
    searched last name does in the order by name).
    """
    return column == sa.any_(func.array(ids.scalar_subquery()))


def deal_condition(s: Session, q: str):
    """Deals whose title or company name holds ``q``."""
    by_title = _ids(s, Deal.id, Deal.id, ilike(Deal.title, q), deals_fts, q)
    by_company = select(Deal.id).where(Deal.company_id.in_(company_name_ids(s, q)))
    return Deal.id.in_(sa.union(by_title, by_company))
