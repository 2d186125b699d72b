"""Contacts list at 10,000 and 100,000 rows: the service query and the page render in a real browser.

The app's database grows from the demo workspace to 10,000 and then 100,000 contacts (one email
each, across 500 companies, through the real schema). At each size: the service query in this
process (first page, a deep page, a search, a sort) and, in Chromium against the running app,
opening Contacts (to rows visible) and the next page. Each size is compared with the one before,
starting from the demo workspace.

    python -m bench.bench_contacts [--sizes 10000 100000] [--no-browser] [--quick]
"""

from __future__ import annotations

import argparse
import functools
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from bench.stats import (
    BenchmarkError,
    Context,
    Section,
    figure_row,
    launch_chromium,
    p50_p95,
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


def time_queries(repeat: int) -> dict[str, dict[str, float]]:
    from crm_app.services import crm

    total = count_contacts()
    cases: dict[str, Callable[[], object]] = {
        "query: first page (25, by name)": lambda: crm.list_contacts(),
        "query: deep page (middle)": lambda: crm.list_contacts(page=max(1, total // 50)),
        f"query: search '{SEARCH}'": lambda: crm.list_contacts(q=SEARCH),
        "query: sort by company, desc": lambda: crm.list_contacts(sort="company", desc=True),
    }
    return {name: time_call(fn, repeat) for name, fn in cases.items()}


class ContactsBrowser:
    """Chromium signed in to the running app, timing the contacts list as a person sees it."""

    def __init__(self, app_url: str, email: str) -> None:
        from playwright.sync_api import sync_playwright

        self.app_url = app_url
        self._playwright = sync_playwright().start()
        self.browser = launch_chromium(self._playwright)
        self.page = self.browser.new_page()
        self.page.goto(f"{app_url}/signin")
        self.page.fill("#signin-email", email)
        self.page.fill("#signin-password", PASSWORD)
        self.page.click("#signin-submit")
        self.page.wait_for_selector("#page-title", timeout=BROWSER_TIMEOUT_MS)

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


def section(figures: dict[int, dict[str, Any]]) -> Section:
    rows = []
    sizes = sorted(figures)
    names = list(dict.fromkeys(name for size in sizes for name in figures[size]["timings"]))
    for name in names:
        for index, size in enumerate(sizes):
            s = figures[size]["timings"].get(name)
            if s is None:
                continue
            previous = sizes[index - 1] if index else None
            before = figures[previous]["timings"].get(name) if previous is not None else None
            if before:
                against = f"{previous:,} contacts: {p50_p95(before)}"
            elif previous is not None:
                against = f"— ({previous:,} contacts fit on one page)"
            else:
                against = "— (the demo workspace)"
            rows.append(figure_row(f"{name} — {size:,} contacts", s, against))
    seeded = [f"{size:,} ({figures[size]['added']:,} added in {figures[size]['seed_s']:.1f} s)" for size in sizes[1:]]
    notes = [
        ("Queries run `crm_app.services.crm.list_contacts` in the benchmark process on the app's database (SQLite "
         "unless `--database-url` is given); the browser rows are Chromium against the running app, signed in."),
        "Sizes: " + ", ".join(seeded) + ".",
    ]
    return Section(title="Contacts list at 10,000 and 100,000 rows (bench_contacts)", rows=rows, notes=notes,
                   figures={str(size): data for size, data in figures.items()})


def run(ctx: Context, sizes: Sequence[int] = SIZES, browser: bool = True) -> Section:
    return section(measure(ctx, sizes, browser))


def main(argv: Sequence[str] | None = None) -> int:
    from bench.run_all import standalone

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-browser", action="store_true")
    args, rest = parser.parse_known_args(argv)
    return standalone(functools.partial(run, sizes=args.sizes, browser=not args.no_browser), rest,
                      description=__doc__.splitlines()[0])


if __name__ == "__main__":
    import sys

    sys.exit(main())
