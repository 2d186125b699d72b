"""End-to-end fixtures: the sandbox and the MS365 MCP server as real processes, the app through Reflex's
AppHarnessProd (production build), and Debian's Chromium driven by Playwright.

Run in their own pytest process (`pytest tests/e2e -p no:asyncio`): pytest-playwright keeps an event
loop on the main thread that clashes with pytest-asyncio.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.stats import submit_form
from tests.support.procs import ROOT, ServerProcess, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


T = 30_000


@dataclass
class Stack:
    url: str
    backend_url: str
    sandbox: ServerProcess
    mcp: ServerProcess
    data_dir: Path

    def page_url(self, path: str) -> str:
        return self.url.rstrip("/") + path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium is missing: run `make test` (it installs Debian's chromium) or apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    from reflex.testing import AppHarnessProd

    from crm_app.db import reset_engine
    from crm_app.settings import reset_settings_cache

    data_dir = tmp_path_factory.mktemp("e2e-data")
    sandbox = ServerProcess("crm_app.sandbox", free_port()).start()
    mcp = ServerProcess("crm_app.ms365_mcp", free_port(), env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"}).start()
    saved = dict(os.environ)
    os.environ.update({
        "APP_MODE": "demo",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'e2e.db'}",
        "SANDBOX_HOST": "127.0.0.1",
        "SANDBOX_PORT": str(sandbox.port),
        "MS365_MCP_URL": f"{mcp.url}/mcp",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_TELEMETRY_ENABLED": "false",
    })
    os.environ.pop("REFLEX_REDIS_URL", None)
    reset_settings_cache()
    reset_engine()
    shutil.rmtree(ROOT / ".states", ignore_errors=True)
    try:
        with AppHarnessProd.create(root=ROOT, app_name="crm_app") as harness:
            assert harness.frontend_url and harness.backend is not None
            host, port = harness.backend.servers[0].sockets[0].getsockname()[:2]
            backend_url = f"http://{host}:{port}"
            os.environ["APP_URL"] = harness.frontend_url.rstrip("/")
            os.environ["API_URL"] = backend_url
            reset_settings_cache()
            yield Stack(harness.frontend_url.rstrip("/"), backend_url, sandbox, mcp, data_dir)
    finally:
        mcp.stop()
        sandbox.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings_cache()
        reset_engine()


@pytest.fixture
def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(page, stack: Stack, email: str, password: str = "correct horse battery", name: str = "Test User") -> None:
    fields = {"#signup-name": name, "#signup-email": email, "#signup-password": password,
              "#signup-password_confirm": password}
    submit_form(page, stack.page_url("/signup"), fields, "#signup-submit", "#page-title, #error-email")
    if not page.locator("#page-title").filter(visible=True).count():
        # an earlier try created the account and its redirect was lost with the page it left
        expect(page.locator("#error-email")).to_contain_text("already", timeout=T)
        sign_in(page, stack, email, password)


def sign_in(page, stack: Stack, email: str, password: str = "correct horse battery") -> None:
    submit_form(page, stack.page_url("/signin"), {"#signin-email": email, "#signin-password": password},
                "#signin-submit", "#page-title")
