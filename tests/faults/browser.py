"""What the fault and abuse browser tests share: connecting Microsoft 365 through the consent page, asking the
assistant, and holding on to the page's state websocket so a test can cut it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.faults.support import AVERY
from tests.support.procs import ServerProcess

T = 45_000
EVENT_SOCKET = re.compile(r"/_event")


def grant_ms365(email: str, sandbox: ServerProcess, mailbox: str = AVERY) -> None:
    """Connect the account ``email`` to ``mailbox`` as the OAuth callback would (the app runs in this process and
    shares its database); quicker than the consent page, which ``connect_ms365`` goes through."""
    from sqlmodel import select

    from crm_app.db import session_scope
    from crm_app.models import User
    from tests.integration.assistant.conftest import connect

    with session_scope() as s:
        user_id = s.exec(select(User.id).where(User.email == email)).one()
    assert user_id is not None
    connect(user_id, sandbox, mailbox)


def connect_ms365(page: Page, mailbox_id: str = "user-avery\\.chen") -> None:
    """Settings → Connect → the sandbox's consent page → accept → back on Settings, connected."""
    page.click("#nav-settings")
    page.click("#ms365-connect")
    page.wait_for_url(re.compile(r"/oauth2/v2\.0/authorize"), timeout=T)
    page.check(f"#{mailbox_id}")
    page.click("#consent-accept")
    page.wait_for_url(re.compile(r"/settings"), timeout=T)
    expect(page.locator("#ms365-status")).to_have_text("Connected", timeout=T)


def send(page: Page, text: str) -> Any:
    """Type and send a message; the assistant message that answers it (still working, perhaps)."""
    before = page.locator(".assistant-message").count()
    page.fill("#chat-input", text)
    page.click("#chat-send")
    answer = page.locator(".assistant-message").nth(before)
    expect(answer).to_be_attached(timeout=T)
    return answer


def ask(page: Page, text: str) -> Any:
    """Send a message and wait until its answer is finished (done or failed)."""
    answer = send(page, text)
    expect(answer).to_have_attribute("data-status", re.compile("done|failed"), timeout=T)
    return answer


@dataclass
class SocketCutter:
    """Routes the page's state websocket through Playwright, so a test can drop it like a network failure."""

    page: Page
    routes: list[tuple[WebSocketRoute, WebSocketRoute]] = field(default_factory=list)

    def install(self) -> SocketCutter:
        self.page.route_web_socket(EVENT_SOCKET, self._connect)
        return self

    def _connect(self, route: WebSocketRoute) -> None:
        self.routes.append((route, route.connect_to_server()))

    @property
    def opened(self) -> int:
        return len(self.routes)

    def cut(self) -> None:
        """Close the live socket on both sides, as a dropped connection does."""
        page_side, server_side = self.routes[-1]
        server_side.close(code=1001, reason="network dropped")
        page_side.close(code=1001, reason="network dropped")
