"""An access token that expires in the middle of a turn is renewed once and the turn completes; a revoked
refresh token turns into "Reconnect needed" without asking Microsoft again on every message."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx
import pytest

from crm_app.microsoft.oauth import TokenGrant
from crm_app.microsoft.vault import connection_of, store_grant
from crm_app.services import integrations
from tests.faults.support import AVERY, SandboxAdmin, cards_of
from tests.integration.assistant.conftest import connect, fixed_now

SHORT_LIFETIME = 1
EXPIRY_TIMEOUT = 15.0

pytestmark = pytest.mark.parametrize("database", ["postgres"], indirect=True)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


def store_short_lived(user_id: int, admin: SandboxAdmin, *, vault_knows_expiry: bool) -> str:
    """Connect with an access token the sandbox honours for ``SHORT_LIFETIME`` seconds.

    The vault records the true expiry, or believes the token is good for an hour (as after clock skew or an
    early invalidation), in which case only Graph's 401 can reveal that it expired.
    """
    from crm_app.services.integrations import requested_scopes

    tokens = admin.mint(AVERY, [*requested_scopes(), "offline_access"], SHORT_LIFETIME)
    believed = SHORT_LIFETIME if vault_knows_expiry else 3600
    store_grant(user_id, TokenGrant(
        access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=believed),
        scopes=tuple(tokens["scope"].split()), account_email=AVERY, account_name="Avery Chen"))
    return tokens["access_token"]


def microsoft_requests(admin: SandboxAdmin) -> int:
    """Requests that reached Graph or the identity provider (not the admin API)."""
    return sum(n for path, n in admin.stats()["requests_by_path"].items() if path.startswith(("/v1.0/", "/common/")))


async def wait_until_rejected(admin: SandboxAdmin, token: str) -> None:
    """Until Graph answers 401 to ``token``."""
    deadline = time.monotonic() + EXPIRY_TIMEOUT
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            response = await client.get(f"{admin.url}/v1.0/me", headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 401:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the short-lived token was never rejected")


@pytest.mark.parametrize("vault_knows_expiry", [True, False], ids=["vault-renews-ahead", "graph-says-401"])
async def test_token_expiring_between_two_calls_of_a_turn_is_renewed_once(avery, admin, vault_knows_expiry):
    admin.reset()
    store_short_lived(avery.user.id, admin, vault_knows_expiry=vault_knows_expiry)
    admin.fault(latency_ms=SHORT_LIFETIME * 1000 + 500, burst=1, path_prefix="/v1.0/me/drive")

    turn = await avery.say("Share the budget spreadsheet with the finance team")

    assert turn.status == "done", turn.text
    assert avery.tools()[0] == "onedrive_search_files" and len(avery.calls) >= 2
    confirm = cards_of(turn, "confirm")
    assert confirm and "budget" in confirm[0]["file"].lower()
    assert confirm[0]["recipients"] == "finance@northwind.example"
    assert admin.refresh_grants() == 1
    rejected = admin.stats()["statuses"].get("401", 0)
    assert rejected == 0 if vault_knows_expiry else rejected >= 1, "renewed ahead, or after Graph's 401"
    connection = connection_of(avery.user.id)
    assert connection is not None and connection.usable


async def test_parallel_calls_that_all_meet_an_expired_token_share_one_renewal(avery, admin):
    admin.reset()
    token = store_short_lived(avery.user.id, admin, vault_knows_expiry=False)
    await wait_until_rejected(admin, token)

    turn = await avery.say("show emails from Acme's contacts")

    assert turn.status == "done", turn.text
    assert len(avery.calls) == 3 and cards_of(turn, "email")
    assert admin.refresh_grants() == 1, "one renewal, however many calls saw the stale token"


async def test_revoked_refresh_token_means_reconnect_needed_then_connect_again(avery, admin):
    admin.reset()
    first = await avery.say("Show me emails from the last 3 days")
    assert first.status == "done"
    assert admin.revoke() >= 2

    turn = await avery.say("What's on my calendar today?")
    assert turn.status == "failed"
    assert "reconnect" in cards_of(turn, "error")[0]["body"].lower()
    connection = connection_of(avery.user.id)
    assert connection is not None and connection.needs_reconnect and not connection.usable
    view = await integrations.ms365_view(avery.user.id, live=True)
    assert view.status == integrations.STATUS_RECONNECT and view.to_json()["status"] == "reconnect_needed"

    before = microsoft_requests(admin)
    later = await avery.say("Show me emails from the last 3 days")
    assert later.status == "failed" and "Reconnect needed" in later.text
    assert microsoft_requests(admin) == before, "a dead sign-in sends nothing to Microsoft until reconnected"

    connect(avery.user.id, avery.sandbox)
    back = await avery.say("Show me emails from the last 3 days")
    assert back.status == "done" and cards_of(back, "email")
