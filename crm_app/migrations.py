"""Apply Alembic migrations programmatically (on start and from `python -m crm_app.manage migrate`)."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from crm_app.db import make_engine, normalise_url
from crm_app.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
MIGRATION_LOCK_ID = 7_311_001  # PostgreSQL advisory lock: one instance migrates at a time
log = logging.getLogger(__name__)


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def exclusive(url: str | None = None) -> Iterator[None]:
    """One process at a time (several app workers or instances start together): a PostgreSQL advisory
    lock, or a file lock beside a SQLite database."""
    url = url or get_settings().db_url
    if normalise_url(url).startswith("sqlite"):
        path = Path(url.split("///", 1)[-1] or ".").with_suffix(".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID})
                conn.commit()
    finally:
        engine.dispose()


def upgrade(url: str | None = None, revision: str = "head", *, lock: bool = True) -> None:
    url = url or get_settings().db_url
    if lock:
        with exclusive(url):
            upgrade(url, revision, lock=False)
        return
    _run(command.upgrade, url, revision)


def downgrade(url: str, revision: str = "base") -> None:
    _run(command.downgrade, url, revision)


def _run(step: Callable[[Config, str], None], url: str, revision: str) -> None:
    """One Alembic command to `revision` on a connection of its own, committed at the end."""
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)
            conn.commit()
    finally:
        engine.dispose()
