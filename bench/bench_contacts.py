"""Contacts list at 10,000 and 100,000 rows: the service query and the page render in a real browser.

The app's database grows from the demo workspace to 10,000 and then 100,000 contacts (one email
each, across 500 companies, through the real schema). At each size: the service query in this
process (first page, a deep page, a search, a sort) and, in Chromium against the running app,
opening Contacts (to rows visible) and the next page. Each size is compared with the one before,
starting from the demo workspace; the indexed search is compared with the LIKE scan it replaced, on
the same rows. The queries then run again on a fresh PostgreSQL database grown the same way.

    python -m bench.bench_contacts [--sizes 10000 100000] [--no-browser] [--postgres-url URL] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import time
import uuid
from collections.abc import Iterator
from collections.abc import Callable, Sequence
from typing import Any

from bench.stats import (
    BenchmarkError,
    Context,
    Section,
    figure_row,
    launch_chromium,
    p50_p95,
    submit_form,
    summary,
)

SIZES = (10_000, 100_000)
COMPANIES = 500
BATCH = 10_000
QUERY_REPEAT = 30
QUICK_QUERY_REPEAT = 5
BROWSER_REPEAT = 8
QUICK_BROWSER_REPEAT = 2
BROWSER_TIMEOUT_MS = 60_000
PASSWORD = "bench password 1"
FIRST_NAMES = ("Alex", "Sam", "Jo", "Kim", "Lee", "Max", "Ria", "Tom", "Uma", "Zoe", "Ivy", "Ben")
LAST_NAMES = ("Smith", "Garcia", "Okafor", "Chen", "Silva", "Fischer", "Brooks", "Kim", "Wong", "Patel")
SEARCH = "okafor1"
SEARCH_ROW = f"query: search '{SEARCH}'"
SCAN_ROW = f"query: search '{SEARCH}', LIKE scan (no index)"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def count_contacts() -> int:
    from crm_app.services import crm

    return crm.list_contacts().total


def grow_to(total: int) -> int:
    """Bulk-insert contacts (one email each) until the table holds ``total``; returns how many were added."""
    import sqlalchemy as sa

    from crm_app.db import get_engine, utcnow
    from crm_app.models import Company, Contact, ContactEmail

    companies, contacts = sa.inspect(Company).local_table.c, sa.inspect(Contact).local_table.c
    engine = get_engine()
    now = utcnow()
    with engine.begin() as conn:
        current = conn.execute(sa.select(sa.func.count()).select_from(Contact)).scalar_one()
        missing = total - current
        if missing <= 0:
            return 0
        named = [f"Company {i:04d}" for i in range(COMPANIES)]
        have = set(conn.execute(sa.select(companies.name).where(companies.name.in_(named))).scalars())
        fresh = [{"name": name, "domain": f"c{i}.example", "created_at": now, "updated_at": now}
                 for i, name in enumerate(named) if name not in have]
        if fresh:
            conn.execute(sa.insert(Company), fresh)
        company_ids = list(conn.execute(sa.select(companies.id).where(companies.name.in_(named))).scalars())
        last_id = conn.execute(sa.select(sa.func.max(contacts.id))).scalar() or 0
        for start in range(current, total, BATCH):
            conn.execute(sa.insert(Contact), [
                {"first_name": FIRST_NAMES[i % len(FIRST_NAMES)], "last_name": f"{LAST_NAMES[i % len(LAST_NAMES)]}{i}",
                 "title": "Buyer", "company_id": company_ids[i % len(company_ids)], "created_at": now, "updated_at": now}
                for i in range(start, min(total, start + BATCH))])
        new_ids = list(conn.execute(sa.select(contacts.id).where(contacts.id > last_id).order_by(contacts.id)).scalars())
        for start in range(0, len(new_ids), BATCH):
            conn.execute(sa.insert(ContactEmail), [
                {"contact_id": cid, "email": f"person{cid}@c{cid % COMPANIES}.example", "is_primary": True}
                for cid in new_ids[start:start + BATCH]])
    return missing


def time_call(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def like_scan(q: str, page_size: int = 25) -> list[int]:
    """The search as a plain LIKE scan (what list_contacts ran before the search indexes): count and first page."""
    from sqlalchemy import func, or_
    from sqlmodel import select

    from crm_app.db import session_scope
    from crm_app.models import Company, Contact, ContactEmail
    from crm_app.services.crm_search import ilike, like_pattern

    with session_scope() as s:
        full = func.lower(Contact.first_name + " " + Contact.last_name)
        cond = or_(ilike(Contact.first_name, q), ilike(Contact.last_name, q),
                   full.like(like_pattern(q.lower()), escape="\\"),
                   Contact.id.in_(select(ContactEmail.contact_id).where(ilike(ContactEmail.email, q))),
                   Contact.company_id.in_(select(Company.id).where(ilike(Company.name, q))))
        s.exec(select(func.count()).select_from(Contact).where(cond)).one()
        stmt = (select(Contact.id).where(cond).order_by(Contact.last_name, Contact.first_name, Contact.id)
                .limit(page_size))
        return list(s.exec(stmt).all())


def time_queries(repeat: int) -> dict[str, dict[str, float]]:
    from crm_app.services import crm

    total = count_contacts()
    cases: dict[str, Callable[[], object]] = {
        "query: first page (25, by name)": lambda: crm.list_contacts(),
        "query: deep page (middle)": lambda: crm.list_contacts(page=max(1, total // 50)),
        SEARCH_ROW: lambda: crm.list_contacts(q=SEARCH),
        SCAN_ROW: lambda: like_scan(SEARCH),
        "query: sort by company, desc": lambda: crm.list_contacts(sort="company", desc=True),
    }
    indexed = [row["id"] for row in crm.list_contacts(q=SEARCH).rows]
    if indexed != like_scan(SEARCH):
        raise BenchmarkError(f"The indexed search for {SEARCH!r} and the LIKE scan found different first pages.")
    return {name: time_call(fn, repeat) for name, fn in cases.items()}


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, this process's settings pointed at it; dropped afterwards."""
    import sqlalchemy as sa

    from crm_app.db import make_engine, reset_engine
    from crm_app.migrations import upgrade
    from crm_app.settings import reset_settings_cache

    name = f"bench_contacts_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    previous = os.environ.get("DATABASE_URL")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        raise BenchmarkError(f"PostgreSQL is not reachable at {admin_url} (set BENCH_POSTGRES_URL): {exc}") from exc
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        upgrade(url)
        os.environ["DATABASE_URL"] = url
        reset_settings_cache()
        reset_engine()
        yield url
    finally:
        reset_engine()
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        reset_settings_cache()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analyze() -> None:
    """After a bulk load, what autovacuum would do a little later: planner statistics, GIN pending lists merged."""
    from crm_app.db import get_engine

    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def measure_postgres(ctx: Context, sizes: Sequence[int], admin_url: str) -> dict[int, dict[str, Any]]:
    """The same queries on PostgreSQL, from an empty database grown to each size."""
    figures: dict[int, dict[str, Any]] = {}
    with postgres_database(admin_url):
        for target in sizes:
            started = time.perf_counter()
            added = grow_to(target)
            analyze()
            figures[count_contacts()] = {"timings": time_queries(ctx.scaled(QUERY_REPEAT, QUICK_QUERY_REPEAT)),
                                         "added": added, "seed_s": time.perf_counter() - started}
    ctx.use_app_settings()
    return figures


class ContactsBrowser:
    """Chromium signed in to the running app, timing the contacts list as a person sees it."""

    def __init__(self, app_url: str, email: str) -> None:
        from playwright.sync_api import sync_playwright

        self.app_url = app_url
        self._playwright = sync_playwright().start()
        self.browser = launch_chromium(self._playwright)
        self.page = self.browser.new_page()
        submit_form(self.page, f"{app_url}/signin", {"#signin-email": email, "#signin-password": PASSWORD},
                    "#signin-submit", "#page-title")

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()

    def measure(self, repeat: int) -> dict[str, dict[str, float]]:
        page = self.page
        opening, paging = [], []
        for _ in range(repeat):
            page.goto(f"{self.app_url}/companies")
            page.wait_for_selector("#companies-page", timeout=BROWSER_TIMEOUT_MS)
            started = time.perf_counter()
            page.click("#nav-contacts")
            page.wait_for_selector(".contact-row", timeout=BROWSER_TIMEOUT_MS)
            opening.append((time.perf_counter() - started) * 1000)
            if page.is_disabled("#contacts-next"):
                continue
            before = page.inner_text("#contacts-range")
            started = time.perf_counter()
            page.click("#contacts-next")
            page.wait_for_function(f"document.getElementById('contacts-range').innerText !== {before!r}",
                                   timeout=BROWSER_TIMEOUT_MS)
            paging.append((time.perf_counter() - started) * 1000)
        timings = {"browser: open Contacts (to rows visible)": summary(opening)}
        if paging:
            timings["browser: next page"] = summary(paging)
        return timings


def measure(ctx: Context, sizes: Sequence[int] = SIZES, browser: bool = True) -> dict[int, dict[str, Any]]:
    """Figures per size, starting with the demo workspace as it is."""
    from crm_app.services import auth

    if browser and ctx.app_url is None:
        raise BenchmarkError("The contacts page render needs the app; start it with the shared processes or pass --no-browser.")
    ctx.use_app_settings()
    query_repeat = ctx.scaled(QUERY_REPEAT, QUICK_QUERY_REPEAT)
    browser_repeat = ctx.scaled(BROWSER_REPEAT, QUICK_BROWSER_REPEAT)
    viewer = None
    if browser and ctx.app_url:
        email = f"contacts-{uuid.uuid4().hex[:8]}@bench.example"
        auth.sign_up(email, PASSWORD, "Bench Contacts")
        viewer = ContactsBrowser(ctx.app_url, email)
    figures: dict[int, dict[str, Any]] = {}
    try:
        for target in (0, *sizes):
            started = time.perf_counter()
            added = grow_to(target) if target else 0
            size = count_contacts()
            timings = time_queries(query_repeat)
            if viewer is not None:
                timings.update(viewer.measure(browser_repeat))
            figures[size] = {"timings": timings, "added": added, "seed_s": time.perf_counter() - started}
    finally:
        if viewer is not None:
            viewer.close()
    return figures


def _rows(figures: dict[int, dict[str, Any]], label: str, first_against: str) -> list[list[str]]:
    """One row per measure and size: the search against the LIKE scan at the same size, the rest against the size before."""
    rows = []
    sizes = sorted(figures)
    names = list(dict.fromkeys(name for size in sizes for name in figures[size]["timings"]))
    for name in names:
        for index, size in enumerate(sizes):
            timings = figures[size]["timings"]
            s = timings.get(name)
            if s is None:
                continue
            previous = sizes[index - 1] if index else None
            before = figures[previous]["timings"].get(name) if previous is not None else None
            if name == SEARCH_ROW and SCAN_ROW in timings:
                against = f"LIKE scan, same rows: {p50_p95(timings[SCAN_ROW])}"
            elif before:
                against = f"{previous:,} contacts: {p50_p95(before)}"
            elif previous is not None:
                against = f"— ({previous:,} contacts fit on one page)"
            else:
                against = first_against
            rows.append(figure_row(f"{label}{name} — {size:,} contacts", s, against))
    return rows


def _seeded(figures: dict[int, dict[str, Any]]) -> str:
    grown = [f"{size:,} ({data['added']:,} added in {data['seed_s']:.1f} s)" for size, data in sorted(figures.items())
             if data["added"]]
    return ", ".join(grown) or "none"


def section(figures: dict[int, dict[str, Any]], postgres: dict[int, dict[str, Any]] | None = None,
            app_database: str = "SQLite") -> Section:
    rows = _rows(figures, f"{app_database}: ", "— (the demo workspace)")
    notes = [
        (f"Queries run `crm_app.services.crm.list_contacts` in the benchmark process on the app's database ({app_database}"
         "); the browser rows are Chromium against the running app, signed in."),
        (f"The search is served by the search indexes (SQLite FTS5 trigram tables, PostgreSQL pg_trgm GIN indexes); "
         f"the LIKE scan row runs the query it replaced (count and first page) on the same rows, and both return the "
         f"same first page (checked before timing)."),
        f"{app_database} sizes: {_seeded(figures)}.",
    ]
    if postgres:
        rows += _rows(postgres, "PostgreSQL: ", "— (the first size on PostgreSQL)")
        notes.append(f"PostgreSQL rows: a fresh database on the local server, migrated and grown the same way (then "
                     f"VACUUM ANALYZE); sizes: {_seeded(postgres)}.")
    return Section(title="Contacts list at 10,000 and 100,000 rows (bench_contacts)", rows=rows, notes=notes,
                   figures={"app": {str(size): data for size, data in figures.items()},
                            "postgres": {str(size): data for size, data in (postgres or {}).items()}})


def run(ctx: Context, sizes: Sequence[int] = SIZES, browser: bool = True, postgres_url: str | None = POSTGRES_URL) -> Section:
    figures = measure(ctx, sizes, browser)
    app_database = "PostgreSQL" if ctx.database_url.startswith("postgres") else "SQLite"
    postgres = measure_postgres(ctx, sizes, postgres_url) if postgres_url and app_database == "SQLite" else None
    return section(figures, postgres, app_database)


def main(argv: Sequence[str] | None = None) -> int:
    from bench.run_all import standalone

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--postgres-url", default=POSTGRES_URL,
                        help="a PostgreSQL server's database to create the scratch database from ('' to skip)")
    args, rest = parser.parse_known_args(argv)
    return standalone(functools.partial(run, sizes=args.sizes, browser=not args.no_browser,
                                        postgres_url=args.postgres_url or None), rest,
                      description=__doc__.splitlines()[0])


if __name__ == "__main__":
    import sys

    sys.exit(main())
