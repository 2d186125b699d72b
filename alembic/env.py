"""Alembic environment: the app's metadata and its DATABASE_URL (or an explicit `sqlalchemy.url`)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import crm_app.models  # noqa: F401  (registers the tables)
from crm_app.db import make_engine
from crm_app.models.search import include_object
from crm_app.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().db_url


OPTIONS = {"target_metadata": target_metadata, "render_as_batch": True, "include_object": include_object}


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        context.configure(connection=conn, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
