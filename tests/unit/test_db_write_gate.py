"""SQLite write transactions in one process take turns at the write gate instead of in SQLite's busy handler."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from crm_app.db import GatedSQLiteConnection, make_engine

WRITERS = 8
WRITES_EACH = 25


@pytest.fixture()
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        c.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
        c.execute(sa.text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    yield eng
    eng.dispose()


def _no_busy_wait(eng) -> None:
    """SQLite answers "database is locked" at once instead of waiting: only the gate can keep writers apart."""

    @sa.event.listens_for(eng, "connect")
    def _impatient(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA busy_timeout=0")


def _run_writers(eng) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write() -> None:
        start.wait()
        for _ in range(WRITES_EACH):
            try:
                with eng.begin() as c:
                    c.execute(sa.text("SELECT n FROM counter WHERE id = 1")).scalar_one()
                    c.execute(sa.text("UPDATE counter SET n = n + 1 WHERE id = 1"))
                    c.execute(sa.text("UPDATE counter SET n = n + 1 WHERE id = 1"))
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_the_app_engine_uses_gated_connections(engine):
    with engine.connect() as c:
        assert isinstance(c.connection.dbapi_connection, GatedSQLiteConnection)


def test_concurrent_writers_never_meet_a_locked_database(engine):
    _no_busy_wait(engine)
    engine.dispose()
    errors = _run_writers(engine)
    assert errors == []
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT n FROM counter")).scalar_one() == 2 * WRITERS * WRITES_EACH


def test_without_the_gate_the_same_writers_do_meet_a_locked_database(tmp_path):
    """The check above can fail: plain SQLite connections under the same load report locks."""
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}", connect_args={"check_same_thread": False})

    @sa.event.listens_for(eng, "connect")
    def _wal(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        c.execute(sa.text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    errors = _run_writers(eng)
    eng.dispose()
    assert any("locked" in str(e) for e in errors)


def test_a_reader_is_not_held_up_by_a_writer(engine):
    with engine.connect() as writer:
        writer.execute(sa.text("UPDATE counter SET n = 5 WHERE id = 1"))  # write transaction open, gate held
        read: list[int] = []
        t = threading.Thread(target=lambda: read.append(_read_counter(engine)))
        t.start()
        t.join(timeout=10)
        assert read == [0]  # the reader saw the last committed value, without waiting for the writer
        writer.commit()
    assert _read_counter(engine) == 5


def _read_counter(eng) -> int:
    with eng.connect() as c:
        return c.execute(sa.text("SELECT n FROM counter WHERE id = 1")).scalar_one()


def test_a_failed_write_gives_the_gate_back(engine):
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO notes (body) VALUES ('one')"))
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as c:
            c.execute(sa.text("INSERT INTO notes (body) VALUES ('one')"))
    done = threading.Event()

    def write_elsewhere() -> None:
        with engine.begin() as c:
            c.execute(sa.text("INSERT INTO notes (body) VALUES ('two')"))
        done.set()

    t = threading.Thread(target=write_elsewhere)
    t.start()
    t.join(timeout=10)
    assert done.is_set()


def test_a_second_writer_waits_for_the_first_to_commit(engine):
    order: list[str] = []
    first_in = threading.Event()

    def second() -> None:
        first_in.wait()
        with engine.begin() as c:
            c.execute(sa.text("INSERT INTO notes (body) VALUES ('second')"))
        order.append("second committed")

    t = threading.Thread(target=second)
    t.start()
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO notes (body) VALUES ('first')"))
        first_in.set()
        t.join(timeout=0.3)  # the second writer is waiting at the gate, not failing
        assert t.is_alive() and order == []
        order.append("first committing")
    t.join(timeout=10)
    assert order == ["first committing", "second committed"]
