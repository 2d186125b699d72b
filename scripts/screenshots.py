"""Write a PNG of each page and card state into docs/screenshots/, from Chromium against the demo tenant.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--port 3100]

Starts the whole product the way `make run` does (python -m crm_app.stack: sandbox, MS365 MCP server, the
app in production mode) on free ports with a fresh database, signs in with the demo account, connects the
demo mailbox and drives real assistant turns. Needs Playwright and Chromium (`make setup-test`).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_app.services.demo import DEMO_ACCOUNT_EMAIL, DEMO_ACCOUNT_PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 60_000
START_TIMEOUT_S = 600


def shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"The app stopped while starting (exit code {proc.returncode}); see the output above.")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"The app did not answer on {url} within {timeout:.0f} s.")


def start_stack(port: int, data_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "APP_MODE": "demo",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'screenshots.db'}",
        "SANDBOX_PORT": str(free_port()),
        "MS365_MCP_PORT": str(free_port()),
        "APP_URL": f"http://localhost:{port}",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    for key in ("MS365_MCP_URL", "API_URL", "REFLEX_REDIS_URL", "LLM_MODEL"):
        env.pop(key, None)
    proc = subprocess.Popen([sys.executable, "-m", "crm_app.stack", "--port", str(port)], cwd=ROOT, env=env,
                            start_new_session=True)
    wait_for(f"http://localhost:{port}/ping", proc, START_TIMEOUT_S)
    return proc


class Gallery:
    def __init__(self, page, base: str, out: Path) -> None:
        self.page, self.base, self.out = page, base, out
        self.written: list[Path] = []

    def go(self, path: str, ready: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector(ready, timeout=TIMEOUT_MS)
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(600)

    def shot(self, name: str, locator=None, full_page: bool = False) -> None:
        path = self.out / f"{name}.png"
        if locator is not None:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path), full_page=full_page)
        self.written.append(path)
        print(f"  {shown(path)}")

    def home(self, name: str) -> None:
        """The home page once Microsoft 365 has answered."""
        self.go("/home", "#home-page")
        self.page.wait_for_selector("#home-meetings, #home-no-meetings", timeout=TIMEOUT_MS)
        self.settle()
        self.shot(name)

    def ask(self, text: str):
        before = self.page.locator(".assistant-message").count()
        self.page.fill("#chat-input", text)
        self.page.click("#chat-send")
        reply = self.page.locator(".assistant-message").nth(before)
        reply.wait_for(timeout=TIMEOUT_MS)
        self.page.wait_for_function(
            "(i) => { const m = document.querySelectorAll('.assistant-message')[i];"
            " return m && /done|failed/.test(m.getAttribute('data-status') || ''); }", arg=before, timeout=TIMEOUT_MS)
        self.settle()
        return reply


def capture(page, base: str, out: Path) -> list[Path]:
    g = Gallery(page, base, out)
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    g.go("/signin", "#signin-submit")
    g.shot("signin")
    page.fill("#signin-email", DEMO_ACCOUNT_EMAIL)
    page.fill("#signin-password", DEMO_ACCOUNT_PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#page-title", timeout=TIMEOUT_MS)

    g.go("/settings", "#ms365-connect, #ms365-status")
    if page.locator("#ms365-connect").count():
        g.shot("settings-not-connected")
        g.go("/home", "#home-not-connected")
        g.shot("home-not-connected")
        g.go("/settings", "#ms365-connect")
        page.click("#ms365-connect")
        page.wait_for_url(re.compile(r"/oauth2/v2\.0/authorize"), timeout=TIMEOUT_MS)
        page.check("#user-avery\\.chen")
        page.click("#consent-accept")
        page.wait_for_url(re.compile(r"/settings"), timeout=TIMEOUT_MS)
        page.wait_for_selector("#ms365-status:has-text('Connected')", timeout=TIMEOUT_MS)
    g.settle()
    g.shot("settings-connected", full_page=True)

    g.home("home")

    g.go("/chat", "#chat-input")
    g.shot("chat-empty")
    emails = g.ask("Show me emails from John Smith")
    g.shot("chat-emails", full_page=False)
    g.shot("card-email-preview", emails.locator(".card-email").first)
    full = g.ask("what does the first one say?")
    g.shot("card-email-full", full.locator(".card-email").first)
    empty = g.ask("Show me emails from Dev Sharma")
    g.shot("card-email-empty", empty.locator(".card-email", has_text="Quick call?").first)
    g.shot("card-event", g.ask("Show me this week's meetings").locator(".card-event").first)
    g.shot("card-file", g.ask("List my recent OneDrive files").locator(".card-file").first)
    g.shot("card-site", g.ask("What SharePoint sites do I have access to?").locator(".card-site").first)
    g.shot("card-team", g.ask("what teams am I in?").locator(".card-team").first)
    g.shot("card-crm", g.ask("show me the Acme deal").locator(".card-crm").first)
    confirm = g.ask("Send an email to john@company.com about our meeting").locator(".card-confirm")
    g.shot("card-confirm-send", confirm)
    g.shot("card-confirm-event", g.ask(
        "Schedule a meeting with maria.garcia@acme.example next Monday at 2pm about the proposal").locator(".card-confirm"))
    g.shot("card-confirm-share", g.ask("Share the budget spreadsheet with the finance team").locator(".card-confirm"))
    g.shot("card-confirm-teams", g.ask("post 'Demo moved to 3pm' in the General channel of the Sales team")
           .locator(".card-confirm"))
    g.shot("card-confirm-deal-move", g.ask("move the Acme deal to negotiation").locator(".card-confirm"))
    before = page.locator(".assistant-message").count()
    confirm.locator(".confirm-action").click()
    sent = page.locator(".assistant-message").nth(before)
    page.wait_for_function(
        "(i) => { const m = document.querySelectorAll('.assistant-message')[i];"
        " return m && /done|failed/.test(m.getAttribute('data-status') || ''); }", arg=before, timeout=TIMEOUT_MS)
    g.settle()
    g.shot("card-sent", sent.locator(".card-sent"))
    g.shot("chat-conversation")

    g.go("/contacts", "#page-title")
    g.shot("contacts")
    g.go("/companies", "#page-title")
    g.shot("companies")
    g.go("/deals", "#deal-board")
    g.shot("deals-board")
    first = page.locator("[id^=deal-link-]").first
    first.click()
    page.wait_for_selector("#record-title", timeout=TIMEOUT_MS)
    g.settle()
    g.shot("deal-detail")

    page.emulate_media(color_scheme="dark")
    g.home("home-dark")
    g.go("/deals", "#deal-board")
    g.shot("deals-board-dark")
    g.go("/chat", "#chat-input")
    g.shot("chat-dark")

    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="light")
    g.go("/chat", "#chat-input")
    g.shot("phone-chat")
    g.go("/home", "#home-page")
    g.shot("phone-home", full_page=True)
    g.go("/deals", "#deal-board")
    g.shot("phone-deals")
    return g.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=0, help="port for the app (default: a free one)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print("Chromium is missing: run `make setup-test` (it installs Debian's chromium).", file=sys.stderr)
        return 2
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="crm-screens-") as tmp:
        print(f"Starting crm_app on port {port} against the demo tenant (the first build takes a minute or two)")
        proc = start_stack(port, Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
                page = browser.new_page(viewport=DESKTOP, device_scale_factor=1)
                written = capture(page, f"http://localhost:{port}", args.out)
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"Wrote {len(written)} screenshots to {shown(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
