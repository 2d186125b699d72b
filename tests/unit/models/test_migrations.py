"""Migrations build exactly the models' schema on SQLite and PostgreSQL, and downgrade cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import crm_app.models  # noqa: F401
from crm_app.db import make_engine
from crm_app.migrations import downgrade, upgrade
from crm_app.models.search import include_object


def test_migrations_match_models_and_round_trip(database):
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": include_object})
            diff = compare_metadata(context, SQLModel.metadata)
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


def test_concurrent_startups_migrate_and_seed_once(database):
    """Several workers starting together: one migrates and seeds, the others find it done."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func
    from sqlmodel import select

    from crm_app.crm_app import prepare_database
    from crm_app.db import session_scope
    from crm_app.models import Company, User

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: prepare_database(True), range(4)))
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(User)).one() == 1
        assert s.exec(select(func.count()).select_from(Company)).one() == 6
