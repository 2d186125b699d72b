"""search indexes for contacts, companies and deals

SQLite: FTS5 tables with the trigram tokenizer, kept in step with their tables by triggers.
PostgreSQL: pg_trgm GIN indexes on the searched columns (for contacts, on the lowered full name).
Both keep substring semantics, so an indexed search finds what a LIKE '%q%' scan finds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# FTS5 table -> (source table, {FTS column: SQL expression over the source row's columns})
SQLITE_FTS = {
    "contacts_fts": ("contacts", {"name": "{row}.first_name || ' ' || {row}.last_name"}),
    "contact_emails_fts": ("contact_emails", {"email": "{row}.email"}),
    "companies_fts": ("companies", {"name": "{row}.name", "domain": "{row}.domain", "industry": "{row}.industry"}),
    "deals_fts": ("deals", {"title": "{row}.title"}),
}

# GIN trigram index -> (table, indexed expression)
POSTGRES_TRGM = {
    "ix_contacts_full_name_trgm": ("contacts", "(lower(first_name || ' ' || last_name))"),
    "ix_contact_emails_email_trgm": ("contact_emails", "email"),
    "ix_companies_name_trgm": ("companies", "name"),
    "ix_companies_domain_trgm": ("companies", "domain"),
    "ix_companies_industry_trgm": ("companies", "industry"),
    "ix_deals_title_trgm": ("deals", "title"),
}


def _sqlite_upgrade() -> None:
    for fts, (table, columns) in SQLITE_FTS.items():
        names = ", ".join(columns)
        new_values = ", ".join(expr.format(row="new") for expr in columns.values())
        old_values = ", ".join(expr.format(row=table) for expr in columns.values())
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, tokenize='trigram')")
        op.execute(f"INSERT INTO {fts} (rowid, {names}) SELECT {table}.id, {old_values} FROM {table}")
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new_values}); END")
        op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
                   f"DELETE FROM {fts} WHERE rowid = old.id; "
                   f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new_values}); END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM {fts} WHERE rowid = old.id; END")


def _sqlite_downgrade() -> None:
    for fts in SQLITE_FTS:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")


def _postgres_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in POSTGRES_TRGM.items():
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def _postgres_downgrade() -> None:
    for name in POSTGRES_TRGM:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _for_dialect(**steps) -> None:
    step = steps.get(op.get_bind().dialect.name)
    if step is not None:
        step()


def upgrade() -> None:
    _for_dialect(sqlite=_sqlite_upgrade, postgresql=_postgres_upgrade)


def downgrade() -> None:
    _for_dialect(sqlite=_sqlite_downgrade, postgresql=_postgres_downgrade)
