"""The real stack for assistant tests: the sandbox and the MS365 MCP server as processes, a migrated
database seeded with the demo workspace, and a user whose Microsoft 365 tokens (minted by the sandbox)
sit in the encrypted vault exactly as after the OAuth flow."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.procs import ServerProcess, free_port

# A fixed "now" on both sides: the sandbox's demo data and the parser's dates line up.
NOW = "2026-03-25T10:30:00+00:00"


@pytest.fixture(scope="module")
def ms365_processes():
    sandbox = ServerProcess("crm_app.sandbox", free_port(), env={"SANDBOX_NOW": NOW}).start()
    mcp = ServerProcess("crm_app.ms365_mcp", free_port(), env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"}).start()
    yield sandbox, mcp
    mcp.stop()
    sandbox.stop()


@dataclass
class Assistant:
    user: Any
    conversation_id: int
    sandbox: ServerProcess
    mcp: ServerProcess
    calls: list[tuple[str, dict[str, Any]]]

    async def say(self, text: str, **kw):
        from crm_app.services import assistant
        from crm_app.services.assistant import build_registry

        registry = await build_registry(self.user.id)
        original = registry.execute

        async def recording(name, ctx, arguments):
            self.calls.append((name, dict(arguments)))
            return await original(name, ctx, arguments)

        registry.execute = recording  # type: ignore[method-assign]
        self.calls.clear()
        return await assistant.send_message(self.user, self.conversation_id, text, registry=registry, **kw)

    def tools(self) -> list[str]:
        return [name for name, _ in self.calls]

    def inject(self, sender: tuple[str, str], subject: str, received: str, body: str = "Hello there.") -> dict[str, Any]:
        """Deliver an email from `sender` (name, address) to Avery's inbox in the sandbox."""
        response = httpx.post(f"{self.sandbox.url}/_admin/messages", json={
            "user": "avery.chen@northwind.example", "from": {"name": sender[0], "address": sender[1]},
            "subject": subject, "body": body, "received": received}, timeout=10)
        response.raise_for_status()
        return response.json()

    def outbound(self) -> list[dict[str, Any]]:
        """Every message the sandbox delivered, oldest first."""
        return httpx.get(f"{self.sandbox.url}/_admin/outbound", timeout=10).json()["messages"]


def mint(sandbox: ServerProcess, user: str = "avery.chen@northwind.example", lifetime: int = 3600) -> dict[str, Any]:
    from crm_app.services.integrations import requested_scopes

    scopes = [*requested_scopes(), "offline_access"]
    r = httpx.post(f"{sandbox.url}/_admin/tokens", json={"user": user, "scopes": scopes, "lifetime": lifetime}, timeout=10)
    r.raise_for_status()
    return r.json()


def connect(user_id: int, sandbox: ServerProcess, mailbox: str = "avery.chen@northwind.example", lifetime: int = 3600) -> None:
    from crm_app.microsoft.oauth import TokenGrant
    from crm_app.microsoft.vault import store_grant

    tokens = mint(sandbox, mailbox, lifetime)
    store_grant(user_id, TokenGrant(
        access_token=tokens["access_token"], refresh_token=tokens.get("refresh_token"),
        expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=int(tokens.get("expires_in", lifetime))),
        scopes=tuple(tokens["scope"].split()), account_email=mailbox, account_name="Avery Chen"))


@pytest.fixture
def assistant_env(database, ms365_processes, monkeypatch):
    from crm_app.settings import reset_settings_cache

    sandbox, mcp = ms365_processes
    monkeypatch.setenv("SANDBOX_PORT", str(sandbox.port))
    monkeypatch.setenv("MS365_MCP_URL", f"{mcp.url}/mcp")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/London")
    reset_settings_cache()
    return sandbox, mcp


@pytest.fixture
async def avery(assistant_env):
    """A signed-up user with the demo workspace and Avery Chen's mailbox connected."""
    from crm_app.services import auth, conversations
    from crm_app.services.demo import seed_demo_workspace
    from crm_app.services.mcp_runtime import shutdown

    sandbox, mcp = assistant_env
    httpx.post(f"{sandbox.url}/_admin/reset", timeout=10).raise_for_status()
    seed_demo_workspace(with_account=False)
    auth.sign_up("avery@example.com", "long enough pw", "Avery Chen", "Europe/London")
    user, _ = auth.sign_in("avery@example.com", "long enough pw")
    connect(user.id, sandbox)
    conv = conversations.create(user.id)
    yield Assistant(user, conv["id"], sandbox, mcp, [])
    await shutdown()


def fixed_now(monkeypatch) -> dt.datetime:
    """Pin the parser's clock to the sandbox's."""
    from crm_app.services import assistant

    now = dt.datetime.fromisoformat(NOW)
    monkeypatch.setattr(assistant.context, "clock", lambda tz: now.astimezone(tz))
    return now


__all__ = ["Assistant", "connect", "fixed_now", "mint", "NOW", "os"]
