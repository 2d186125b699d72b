"""Database engine and sessions (SQLModel over SQLAlchemy).

SQLite is the embedded default; any SQLAlchemy URL works (PostgreSQL in production).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sqlite3
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from crm_app.settings import get_settings


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached right now."""

    user_message = "The database is not answering right now. Your changes were not saved; try again in a moment."


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
SQLITE_BUSY_TIMEOUT_S = 30
_SQLITE_WRITE_GATE = threading.Lock()


class _GatedCursor(sqlite3.Cursor):
    """Takes the process's SQLite write gate before the statement that opens a write transaction."""

    def execute(self, sql, parameters=(), /):
        self.connection.enter_write(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.leave_if_done()

    def executemany(self, sql, seq_of_parameters, /):
        self.connection.enter_write(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.leave_if_done()


class GatedSQLiteConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions take turns inside this process.

    SQLite lets one writer at a time hold the database; a second one waits in SQLite's busy handler,
    which polls with sleeps that grow to 100 ms, so under many concurrent writers some wait far longer
    than the writes ahead of them took. Here each write transaction first takes one lock shared by the
    process's connections (from the statement that opens it to its commit or rollback), so writers
    queue and each starts as soon as the one before it ends. Readers never take it (WAL lets them read
    beside a writer); other processes on the same file still meet SQLite's own lock. A writer that has
    waited as long as SQLite's busy timeout goes on without the gate and meets SQLite's lock as before.
    """

    _holds_gate = False

    def cursor(self, factory=_GatedCursor):
        return super().cursor(factory)

    def enter_write(self, sql: str) -> None:
        if not self._holds_gate and not self.in_transaction and sql.lstrip()[:7].upper().startswith(WRITE_STATEMENTS):
            self._holds_gate = _SQLITE_WRITE_GATE.acquire(timeout=SQLITE_BUSY_TIMEOUT_S)

    def leave_if_done(self) -> None:
        if not self.in_transaction:
            self._release_gate()

    def _release_gate(self) -> None:
        if self._holds_gate:
            self._holds_gate = False
            _SQLITE_WRITE_GATE.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_if_done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_if_done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_gate()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S,
                                                      "factory": GatedSQLiteConnection})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised via every sqlite test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not on every commit: a power loss may undo the
            # last commits but never corrupts the file, and each chat message no longer waits on fsync.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_recycle=1800)


@functools.lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().db_url)


def reset_engine() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextlib.contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work: committed on success, rolled back on any error."""
    try:
        with Session(engine or get_engine(), expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    except (OperationalError, DBAPIError) as exc:
        if getattr(exc, "connection_invalidated", False) or isinstance(exc, OperationalError):
            raise DatabaseUnavailable(str(exc.__class__.__name__)) from exc
        raise


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware datetimes on every backend: stored as UTC, returned as aware UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
