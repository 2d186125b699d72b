"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and isolated settings."""

from __future__ import annotations

import os
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def _pg_admin_engine():
    from crm_app.db import make_engine

    return make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")


def create_pg_database() -> str:
    """A fresh, uniquely named PostgreSQL database; raises (never skips) when PostgreSQL is unreachable."""
    from sqlalchemy import text

    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # make the reason obvious in the test report
        raise RuntimeError(
            f"PostgreSQL is required for this test and is not reachable at {PG_ADMIN_URL}: {exc}. "
            "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        ) from exc
    finally:
        engine.dispose()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    from sqlalchemy import text

    name = url.rsplit("/", 1)[1]
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Isolated settings: demo mode, a private data dir, no Redis, no LLM."""
    from crm_app.db import reset_engine
    from crm_app.settings import reset_settings_cache

    monkeypatch.setenv("APP_MODE", "demo")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    for var in ("DATABASE_URL", "REFLEX_REDIS_URL", "LLM_MODEL", "LLM_API_KEY", "MICROSOFT_CLIENT_ID",
                "MICROSOFT_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEYS"):
        monkeypatch.delenv(var, raising=False)
    reset_settings_cache()
    reset_engine()
    yield tmp_path
    reset_settings_cache()
    reset_engine()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, app_env, monkeypatch):
    """A migrated, empty database on each backend; DATABASE_URL points at it."""
    from crm_app.db import reset_engine
    from crm_app.migrations import upgrade
    from crm_app.settings import reset_settings_cache

    if request.param == "sqlite":
        url = f"sqlite:///{app_env / 'test.db'}"
    else:
        url = create_pg_database()
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings_cache()
    reset_engine()
    upgrade(url)
    yield url
    reset_engine()
    if request.param == "postgres":
        drop_pg_database(url)
