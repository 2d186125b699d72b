"""The search indexes beside the CRM tables (created by migration 0003, not by the models' metadata).

SQLite keeps an FTS5 table (trigram tokenizer) per searched table, filled by triggers; its rowid is the
source row's id. PostgreSQL keeps pg_trgm GIN indexes on the searched columns.
"""

from __future__ import annotations

import sqlalchemy as sa

contacts_fts = sa.table("contacts_fts", sa.column("rowid", sa.Integer), sa.column("name", sa.String))
contact_emails_fts = sa.table("contact_emails_fts", sa.column("rowid", sa.Integer), sa.column("email", sa.String))
companies_fts = sa.table("companies_fts", sa.column("rowid", sa.Integer), sa.column("name", sa.String),
                         sa.column("domain", sa.String), sa.column("industry", sa.String))
deals_fts = sa.table("deals_fts", sa.column("rowid", sa.Integer), sa.column("title", sa.String))

FTS_TABLES = ("contacts_fts", "contact_emails_fts", "companies_fts", "deals_fts")
FTS_MIN_CHARS = 3  # the trigram tokenizer matches queries of three characters or more

TRIGRAM_INDEXES = (
    "ix_contacts_full_name_trgm",
    "ix_contact_emails_email_trgm",
    "ix_companies_name_trgm",
    "ix_companies_domain_trgm",
    "ix_companies_industry_trgm",
    "ix_deals_title_trgm",
)


def is_search_index(name: str | None, type_: str) -> bool:
    """Whether a reflected schema object is one of these indexes (an FTS table, its shadow tables or a GIN index)."""
    if not name:
        return False
    if type_ == "table":
        return any(name == fts or name.startswith(f"{fts}_") for fts in FTS_TABLES)
    return type_ == "index" and name in TRIGRAM_INDEXES


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object`` hook: comparing the schema with the models leaves these indexes alone."""
    return not (reflected and compare_to is None and is_search_index(name, type_))
