"""One user's session across two app instances behind a proxy: signed in and connected to Microsoft 365 on
instance A, chatting on instance B, back on A. The UI state lives in Redis, the chat history and the encrypted
tokens in PostgreSQL, and both instances see the same of each."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

from tests.faults.browser import T, ask, connect_ms365
from tests.instances.cluster import TOKEN_RECORD_PREFIX
from tests.instances.conftest import Cluster

PASSWORD = "correct horse battery"
DRAFT = "Show me emails from the last 3 days"
STORE_TIMEOUT = 15.0


def client_token(page: Page) -> str:
    return page.evaluate("() => window.sessionStorage.getItem('token')")


def in_redis(cluster: Cluster, token: str, text: str) -> bool:
    """Whether the tab's state, as stored in Redis, holds ``text``."""
    needle = text.encode()
    for key in cluster.redis.scan_iter(f"{token}_*"):
        value = cluster.redis.get(key)
        if isinstance(value, bytes) and needle in value:
            return True
    return False


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + STORE_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {STORE_TIMEOUT} s"
        time.sleep(0.05)


def socket_released(cluster: Cluster, token: str):
    """Whether no instance holds a live socket for the tab any more (so the next one keeps its token)."""
    return lambda: not cluster.redis.exists(f"{TOKEN_RECORD_PREFIX}{token}")


def move(cluster: Cluster, page: Page, to: str) -> None:
    """The load balancer sends the tab to another instance: its socket drops and reconnects there."""
    token = client_token(page)
    before = cluster.proxy.connections[to]
    cluster.proxy.hand_over(to, until=socket_released(cluster, token))
    expect(page.locator("#chat-send")).to_be_enabled(timeout=T)
    assert client_token(page) == token, "the tab kept its state token across instances"
    assert cluster.proxy.connections[to] > before


def ms365_status(cluster: Cluster, name: str, session: str) -> dict:
    answer = httpx.get(f"{cluster.instance(name).url}/api/v1/integrations/ms365/status?live=0",
                       cookies={"crm_session": session}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_one_session_across_two_instances(page: Page, cluster: Cluster, unique_email: str):
    page.goto(f"{cluster.url}/signup")
    page.fill("#signup-name", "Two Instances")
    page.fill("#signup-email", unique_email)
    page.fill("#signup-password", PASSWORD)
    page.fill("#signup-password_confirm", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#page-title")).to_be_visible(timeout=T)
    connect_ms365(page)
    page.click("#nav-chat")
    expect(page.locator("#chat-input")).to_be_visible(timeout=T)
    page.fill("#chat-input", DRAFT)
    served_by_a = cluster.proxy.connections["a"]
    assert served_by_a > 0 and cluster.proxy.connections["b"] == 0, "so far only instance A served the tab"
    token = client_token(page)
    wait_for(lambda: in_redis(cluster, token, DRAFT), "the typed draft reached the tab's state in Redis")

    move(cluster, page, "b")
    page.reload()
    expect(page.locator("#chat-input")).to_have_value(DRAFT, timeout=T)
    expect(page.locator("#user-name").first).to_have_text("Two Instances")
    page.click("#chat-send")
    answer = page.locator(".assistant-message").last
    expect(answer).to_have_attribute("data-status", "done", timeout=T)
    subjects = answer.locator(".email-subject").all_inner_texts()
    assert subjects, "instance B used the Microsoft 365 tokens instance A stored"
    assert cluster.proxy.connections["a"] == served_by_a, "nothing reached instance A meanwhile"

    session = next(c["value"] for c in page.context.cookies() if c["name"] == "crm_session")
    on_a, on_b = ms365_status(cluster, "a", session), ms365_status(cluster, "b", session)
    assert on_a["status"] == on_b["status"] == "connected"
    assert on_a["account"] == on_b["account"] == {"email": "avery.chen@northwind.example", "name": "Avery Chen"}
    assert on_a["token_expires_at"] == on_b["token_expires_at"]

    move(cluster, page, "a")
    expect(page.locator(".assistant-message").last.locator(".email-subject")).to_have_text(subjects)
    follow = ask(page, "what does the first one say?")
    expect(follow.locator(".card-email .email-subject")).to_have_text(subjects[0])
    expect(follow.locator(".card-email .body-label")).to_have_text(re.compile("Full body|No body text"))
    page.reload()
    expect(page.locator(".user-message")).to_have_count(2, timeout=T)
    expect(page.locator(".assistant-message").first.locator(".email-subject")).to_have_text(subjects)
