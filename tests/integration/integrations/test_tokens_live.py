"""Tokens in use: isolation between users under load, renewal exactly once, revocation, no token at rest or in logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.mcp import MS365_SERVER_ID
from crm_app.models import AuditEntry, Integration
from crm_app.services import integrations
from crm_app.services.mcp_runtime import get_mcp_manager, get_vault, ms365_config, servers_for_user
from tests.integration.integrations.conftest import AVERY, JORDAN

SHORT_LIFETIME = 2
NORMAL_LIFETIME = 3600
CONCURRENT_CALLS = 100


def _set_expiry(user_id: int, expires_at: dt.datetime) -> None:
    with session_scope() as s:
        s.execute(sa.update(Integration).where(Integration.user_id == user_id).values(token_expires_at=expires_at))


class _NoMailboxLimit:
    """Switch the sandbox's 4-requests-per-mailbox limit off for a load test."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox

    def __enter__(self) -> None:
        self.saved = self.sandbox.config()["mailbox_concurrency_limit"]
        self.sandbox.config(mailbox_concurrency_limit=0)

    def __exit__(self, *exc: object) -> None:
        self.sandbox.config(mailbox_concurrency_limit=self.saved, token_lifetime=NORMAL_LIFETIME)


async def test_two_users_under_load_each_only_ever_see_their_own_mailbox(stack, person, sandbox, runtime_cleanup):
    alice, bob = person(), person()
    assert alice.browser.connect(AVERY).status_code == 303
    assert bob.browser.connect(JORDAN).status_code == 303
    run = uuid.uuid4().hex[:12]
    sandbox.inject(AVERY, f"Isolation {run} avery")
    sandbox.inject(JORDAN, f"Isolation {run} jordan")
    manager, server = get_mcp_manager(), ms365_config()

    async def search(user_id: int):
        return await manager.call_tool(user_id, server, "outlook_search_emails", {"query": run, "top": 5})

    with _NoMailboxLimit(sandbox):
        calls = [(alice.user.id, "avery"), (bob.user.id, "jordan")] * 30
        outcomes = await asyncio.gather(*(search(user_id) for user_id, _ in calls))
    for (_, owner), outcome in zip(calls, outcomes, strict=True):
        assert outcome.ok, outcome.error_message
        subjects = [email["subject"] for email in outcome.structured["emails"]]
        assert subjects == [f"Isolation {run} {owner}"], subjects
    with session_scope() as s:
        audited = s.exec(select(AuditEntry).where(AuditEntry.user_id == alice.user.id)).all()
    assert len(audited) == 30 and {entry.tool for entry in audited} == {"outlook_search_emails"}
    assert all(entry.outcome == "ok" and run in entry.arguments for entry in audited)


@pytest.mark.parametrize("vault_knows", [True, False], ids=["expiry-known", "rejected-by-graph"])
async def test_a_token_expiring_mid_use_is_renewed_exactly_once_for_a_hundred_calls(
        stack, person, sandbox, runtime_cleanup, vault_knows):
    """Expiry known to the vault renews ahead; otherwise Graph's 401 makes the manager force one renewal."""
    alice = person()
    with _NoMailboxLimit(sandbox):
        sandbox.config(token_lifetime=SHORT_LIFETIME)
        assert alice.browser.connect(AVERY).status_code == 303
        sandbox.config(token_lifetime=NORMAL_LIFETIME)
        if not vault_knows:
            _set_expiry(alice.user.id, utcnow() + dt.timedelta(hours=1))
        await asyncio.sleep(SHORT_LIFETIME + 0.5)
        before = sandbox.grants(AVERY).get("refresh_token", 0)
        manager, server = get_mcp_manager(), ms365_config()
        outcomes = await asyncio.gather(*(
            manager.call_tool(alice.user.id, server, "outlook_list_folders", {}) for _ in range(CONCURRENT_CALLS)
        ))
    assert all(outcome.ok for outcome in outcomes), {o.error_message for o in outcomes if not o.ok}
    assert sandbox.grants(AVERY).get("refresh_token", 0) - before == 1
    assert get_vault().refreshes == 1


async def test_a_revoked_sign_in_turns_into_reconnect_needed_without_looping(stack, person, sandbox, runtime_cleanup):
    alice = person()
    assert alice.browser.connect(JORDAN).status_code == 303
    assert [s.id for s in servers_for_user(alice.user.id)] == [MS365_SERVER_ID]
    sandbox.revoke(JORDAN)
    token_requests = sandbox.token_requests()
    manager, server = get_mcp_manager(), ms365_config()
    first = await manager.call_tool(alice.user.id, server, "outlook_list_folders", {})
    assert not first.ok and first.outcome == "auth_error"
    assert "Reconnect" in first.error_message
    assert sandbox.token_requests() - token_requests == 1
    status = alice.browser.api("GET", "/api/v1/integrations/ms365/status").json()
    assert status["status"] == "reconnect_needed" and status["tools"] == []
    assert "Reconnect" in status["last_error"]
    assert servers_for_user(alice.user.id) == []
    for _ in range(5):
        again = await manager.call_tool(alice.user.id, server, "outlook_list_folders", {})
        assert not again.ok
    view = await integrations.ms365_view(alice.user.id, live=True)
    assert view.status == "reconnect_needed"
    assert sandbox.token_requests() - token_requests == 1
    assert alice.browser.connect(JORDAN).status_code == 303
    assert alice.browser.api("GET", "/api/v1/integrations/ms365/status").json()["status"] == "connected"


def test_status_endpoints_list_the_tools(stack, person):
    alice = person()
    assert alice.browser.connect(AVERY).status_code == 303
    status = alice.browser.api("GET", "/api/v1/integrations/ms365/status").json()
    names = {tool["name"] for tool in status["tools"]}
    assert {"outlook_search_emails", "outlook_send_email", "onedrive_list_files", "teams_post_message"} <= names
    areas = {tool["name"]: (tool["area"], tool["read_only"]) for tool in status["tools"]}
    assert areas["outlook_search_emails"] == ("mail", True)
    assert areas["outlook_send_email"] == ("mail", False)
    assert areas["outlook_get_calendar_events"][0] == "calendar"
    assert areas["sharepoint_list_files"][0] == "sharepoint"
    servers = alice.browser.api("GET", "/api/v1/mcp/status").json()
    ms365 = servers["servers"][MS365_SERVER_ID]
    assert servers["enabled"] is True and ms365["connected"] is True
    assert ms365["tool_count"] == len(names) and ms365["latency_ms"] is not None and ms365["last_error"] is None
    tested = alice.browser.api("POST", "/api/v1/integrations/ms365/test").json()
    assert tested["ok"] is True and "answered" in tested["message"]


def test_no_token_is_stored_or_logged_in_plain_text(stack, person, sandbox, log_dir: Path):
    alice = person()
    assert alice.browser.connect(AVERY).status_code == 303
    alice.browser.api("GET", "/api/v1/mcp/status")
    before = sandbox.grants(AVERY).get("refresh_token", 0)
    _set_expiry(alice.user.id, utcnow() - dt.timedelta(seconds=1))
    assert alice.browser.api("POST", "/api/v1/integrations/ms365/test").json()["ok"] is True
    assert sandbox.grants(AVERY).get("refresh_token", 0) == before + 1
    issued = sandbox.issued_tokens()
    assert issued
    haystacks: dict[str, str] = {}
    if stack.backend == "sqlite":
        for path in stack.data_dir.glob("crm.db*"):
            haystacks[path.name] = path.read_bytes().decode("latin-1")
    else:
        with session_scope() as s:
            for table in ("integrations", "oauth_states", "audit_entries", "mcp_servers"):
                rows = s.execute(sa.text(f"SELECT * FROM {table}")).all()
                haystacks[table] = repr(rows)
    for path in log_dir.glob("*.log"):
        haystacks[path.name] = path.read_text(errors="replace")
    assert any(name.startswith("api_") for name in haystacks)
    leaks = {name for name, text in haystacks.items() for token in issued if token in text}
    assert not leaks, f"tokens found in {sorted(leaks)}"
