"""Migrations build exactly the models' schema on SQLite and PostgreSQL, and downgrade cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import crm_app.models  # noqa: F401
from crm_app.db import make_engine
from crm_app.migrations import downgrade, upgrade


def test_migrations_match_models_and_round_trip(database):
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            tables = set(inspect(conn).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        downgrade(database, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade(database)
        with engine.connect() as conn:
            assert set(SQLModel.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
