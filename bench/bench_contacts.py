"""Contacts list at 10,000 and 100,000 rows: the service query (first page, a deep page, a search, a sort)
and the page render in a real browser (navigation to the list, and paging), plus cold start to first page.

    python -m bench.bench_contacts [--sizes 10000 100000] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import ms, summary, table

ROOT = Path(__file__).resolve().parents[1]


def seed(url: str, n: int) -> None:
    """Bulk-insert n contacts (one email each) across 500 companies, through the real schema."""
    import sqlalchemy as sa

    from crm_app.db import make_engine, utcnow
    from crm_app.migrations import upgrade
    from crm_app.models import Company, Contact, ContactEmail

    upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    first = ["Alex", "Sam", "Jo", "Kim", "Lee", "Max", "Ria", "Tom", "Uma", "Zoe", "Ivy", "Ben"]
    last = ["Smith", "Garcia", "Okafor", "Chen", "Silva", "Fischer", "Brooks", "Kim", "Wong", "Patel"]
    with engine.begin() as conn:
        conn.execute(sa.insert(Company), [{"name": f"Company {i:04d}", "domain": f"c{i}.example", "created_at": now,
                                           "updated_at": now} for i in range(500)])
        company_ids = [r[0] for r in conn.execute(sa.select(Company.id))]
        batch = 10_000
        for start in range(0, n, batch):
            rows = [{"first_name": first[i % len(first)], "last_name": f"{last[i % len(last)]}{i}",
                     "title": "Buyer", "company_id": company_ids[i % len(company_ids)], "created_at": now, "updated_at": now}
                    for i in range(start, min(n, start + batch))]
            conn.execute(sa.insert(Contact), rows)
        ids = [r[0] for r in conn.execute(sa.select(Contact.id).order_by(Contact.id))]
        for start in range(0, len(ids), batch):
            conn.execute(sa.insert(ContactEmail), [{"contact_id": cid, "email": f"person{cid}@c{cid % 500}.example",
                                                    "is_primary": True} for cid in ids[start:start + batch]])
    engine.dispose()


def time_queries(repeat: int = 30) -> list[list[str]]:
    from crm_app.services import crm

    total = crm.list_contacts().total
    cases = {
        "first page (25, by name)": lambda: crm.list_contacts(),
        "deep page (middle)": lambda: crm.list_contacts(page=total // 50),
        "search 'okafor1'": lambda: crm.list_contacts(q="okafor1"),
        "sort by company, desc": lambda: crm.list_contacts(sort="company", desc=True),
    }
    rows = []
    for name, fn in cases.items():
        fn()
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        s = summary(samples)
        rows.append([name, ms(s["p50"]), ms(s["p95"])])
    return rows


def browser_render(data_dir: Path, db_url: str, repeat: int = 8) -> tuple[list[list[str]], float]:
    """Cold start to first page, then the contacts page render and paging in Chromium."""
    from playwright.sync_api import sync_playwright

    from crm_app.services import auth
    from tests.support.procs import free_port

    email, password = f"bench-{os.getpid()}@example.com", "bench password 1"
    auth.sign_up(email, password, "Bench")
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": db_url, "APP_URL": f"http://localhost:{port}",
           "APP_MODE": "demo", "MCP_ENABLED": "false", "PORT": str(port)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("reflex")), "run", "--env", "prod", "--single-port",
                             "--frontend-port", str(port), "--backend-port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: list[list[str]] = []
    try:
        args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            page = browser.new_page()
            deadline = time.monotonic() + 600
            while True:
                try:
                    page.goto(f"http://localhost:{port}/signin", timeout=5000)
                    page.wait_for_selector("#signin-email", timeout=5000)
                    break
                except Exception:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("the app did not start")
                    time.sleep(0.5)
            cold = (time.perf_counter() - t0) * 1000
            page.fill("#signin-email", email)
            page.fill("#signin-password", password)
            page.click("#signin-submit")
            page.wait_for_selector(".contact-row", timeout=60_000)
            nav, paging = [], []
            for _ in range(repeat):
                page.goto(f"http://localhost:{port}/companies")
                page.wait_for_selector("#companies-page", timeout=60_000)
                t = time.perf_counter()
                page.click("#nav-contacts")
                page.wait_for_selector(".contact-row", timeout=60_000)
                nav.append((time.perf_counter() - t) * 1000)
                before = page.inner_text("#contacts-range")
                t = time.perf_counter()
                page.click("#contacts-next")
                page.wait_for_function(f"document.getElementById('contacts-range').innerText !== {before!r}", timeout=60_000)
                paging.append((time.perf_counter() - t) * 1000)
            s1, s2 = summary(nav), summary(paging)
            rows = [["browser: open Contacts (to rows visible)", ms(s1["p50"]), ms(s1["p95"])],
                    ["browser: next page", ms(s2["p50"]), ms(s2["p95"])]]
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return rows, cold


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    from crm_app.db import reset_engine
    from crm_app.settings import reset_settings_cache

    print("## Contacts list (SQLite)\n")
    cold_ms = None
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp)
            url = f"sqlite:///{data_dir / 'bench.db'}"
            os.environ.update({"DATA_DIR": str(data_dir), "DATABASE_URL": url, "APP_MODE": "demo"})
            reset_settings_cache()
            reset_engine()
            t = time.perf_counter()
            seed(url, n)
            print(f"{n:,} contacts seeded in {time.perf_counter() - t:.1f} s")
            rows = time_queries()
            if not args.no_browser:
                brows, cold = browser_render(data_dir, url)
                rows += brows
                cold_ms = cold if cold_ms is None else cold_ms
            print(f"\n### {n:,} contacts\n")
            print(table(rows, ["operation", "p50", "p95"]))
            print()
            reset_engine()
    if cold_ms is not None:
        print(f"Cold start to first page (process start → sign-in page rendered): {cold_ms / 1000:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
