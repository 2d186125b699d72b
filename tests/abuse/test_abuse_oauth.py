"""Microsoft 365 OAuth under attack: forged, replayed, cross-user and cross-session ``state``, a callback without
a session, an expired state; and one user's tokens never serving another, also under concurrent load."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import uuid

import pytest
from sqlmodel import select

from tests.abuse.site import AppSite, sign_in, sign_up, state_of, with_state
from tests.faults.support import AVERY, SandboxAdmin

JORDAN = "jordan.patel@northwind.example"
REFUSED = "This sign-in answer was refused"
CONCURRENT_CALLS = 40


def integrations_of(user_id: int) -> int:
    from crm_app.db import session_scope
    from crm_app.models import Integration

    with session_scope() as s:
        return len(s.exec(select(Integration).where(Integration.user_id == user_id)).all())


def assert_refused(answer, why: str) -> None:
    assert answer.status_code == 400, answer.text[:300]
    assert REFUSED in answer.text and why in answer.text and "Nothing was changed" in answer.text


def test_a_genuine_callback_connects_once_and_its_replay_is_refused(site: AppSite):
    person = sign_up()
    callback = site.consent(person, AVERY)
    done = site.finish(person, callback)
    assert done.status_code == 303 and done.headers["location"].endswith("/settings?ms365=connected")
    status = site.status(person)
    assert status["connected"] and status["account"]["email"] == AVERY

    assert_refused(site.finish(person, callback), "already used")
    assert site.status(person)["connected_at"] == status["connected_at"], "the replay changed nothing"


@pytest.mark.parametrize("forged", [secrets.token_urlsafe(32), "", "x" * 600, "' OR 1=1 -- état"])
def test_a_forged_state_changes_nothing(site: AppSite, forged: str):
    person = sign_up()
    callback = site.consent(person, AVERY)
    answer = site.finish(person, with_state(callback, forged))
    if forged:
        assert_refused(answer, "does not match any connection")
    else:
        assert_refused(answer, "carried no state")
    assert integrations_of(person.user_id) == 0
    assert site.finish(person, callback).status_code == 303, "the genuine answer still works afterwards"


def test_another_users_state_is_refused_and_stays_usable_by_its_owner(site: AppSite):
    victim, attacker = sign_up("Victim"), sign_up("Attacker")
    attackers_callback = site.consent(attacker, JORDAN)
    assert_refused(site.finish(victim, attackers_callback), "another account")
    assert integrations_of(victim.user_id) == 0, "no login CSRF: the victim was not connected to Jordan's mailbox"

    victims_callback = site.consent(victim, AVERY)
    assert_refused(site.finish(attacker, victims_callback), "another account")
    assert integrations_of(attacker.user_id) == 0
    assert site.finish(victim, victims_callback).status_code == 303
    assert site.status(victim)["account"]["email"] == AVERY


def test_a_state_is_bound_to_the_browser_session_that_started_it(site: AppSite):
    first = sign_up()
    callback = site.consent(first, AVERY)
    other_session = sign_in(first.email)
    assert_refused(site.finish(other_session, callback), "another browser session")
    assert site.finish(first, callback).status_code == 303


def test_a_callback_without_a_session_is_not_used(site: AppSite):
    person = sign_up()
    callback = site.consent(person, AVERY)
    answer = site.finish(None, callback)
    assert answer.status_code == 401 and "Sign in first" in answer.text and "nothing was changed" in answer.text
    assert integrations_of(person.user_id) == 0
    assert site.finish(person, callback).status_code == 303, "the code was not spent by the anonymous request"


def test_an_expired_state_is_refused(site: AppSite):
    from crm_app.db import session_scope
    from crm_app.microsoft.states import state_digest
    from crm_app.models import OAuthState

    person = sign_up()
    callback = site.consent(person, AVERY)
    with session_scope() as s:
        row = s.exec(select(OAuthState).where(OAuthState.state_hash == state_digest(state_of(callback)))).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        s.add(row)
    assert_refused(site.finish(person, callback), "expired")
    assert integrations_of(person.user_id) == 0


def test_a_declined_consent_is_reported_and_changes_nothing(site: AppSite):
    import httpx

    person = sign_up()
    auth_url = site.get("/api/v1/integrations/ms365/auth", person).json()["auth_url"]
    page = httpx.get(auth_url, timeout=30)
    request_id = page.text.split('name="request_id" value="', 1)[1].split('"', 1)[0]
    declined = httpx.post(auth_url.split("?", 1)[0], data={"request_id": request_id, "action": "decline"}, timeout=30)
    answer = site.finish(person, declined.headers["location"])
    assert answer.status_code == 303 and "ms365=declined" in answer.headers["location"]
    assert integrations_of(person.user_id) == 0


def test_non_utf8_and_junk_callback_parameters_are_refused_cleanly(site: AppSite):
    person = sign_up()
    for query in ("state=%FF%FE&code=%C3%28", "state=%ED%A0%80&code=x", "code=only", "state=&code=&error=",
                  "state=" + "%41" * 5000):
        answer = site.get(f"/api/v1/integrations/ms365/callback?{query}", person, follow_redirects=False)
        assert answer.status_code in (303, 400), (query, answer.status_code, answer.text[:200])
        assert "Traceback" not in answer.text
    assert integrations_of(person.user_id) == 0


async def test_tokens_of_one_user_never_serve_another_under_concurrent_load(site: AppSite, ms365_processes):
    from crm_app.services.mcp_runtime import get_mcp_manager, ms365_config, shutdown

    admin = SandboxAdmin(ms365_processes[0].url)
    avery_person, jordan_person = sign_up("Avery's CRM user"), sign_up("Jordan's CRM user")
    for person, mailbox in ((avery_person, AVERY), (jordan_person, JORDAN)):
        assert site.finish(person, site.consent(person, mailbox)).status_code == 303
    admin.reset()
    markers = {AVERY: f"marker{uuid.uuid4().hex[:12]}", JORDAN: f"marker{uuid.uuid4().hex[:12]}"}
    for mailbox, marker in markers.items():
        admin.deliver(f"Private {marker}", f"Only {mailbox} may read {marker}.", sender=("Sender", "s@example.com"),
                      user=mailbox)
    owners = {avery_person.user_id: AVERY, jordan_person.user_id: JORDAN}
    expire_stored_tokens(list(owners))
    manager, server = get_mcp_manager(), ms365_config()

    async def search(user_id: int, marker: str) -> tuple[int, str, set[str]]:
        outcome = await manager.call_tool(user_id, server, "outlook_search_emails", {"query": marker, "top": 5})
        assert outcome.ok, outcome.error_message
        return user_id, marker, {e["subject"] for e in (outcome.structured or {})["emails"]}

    try:
        calls = [search(user_id, markers[mailbox]) for _ in range(CONCURRENT_CALLS // 4)
                 for user_id in owners for mailbox in (AVERY, JORDAN)]
        results = await asyncio.gather(*calls)
    finally:
        await shutdown()
    for user_id, marker, subjects in results:
        own = markers[owners[user_id]] == marker
        assert subjects == ({f"Private {marker}"} if own else set()), (owners[user_id], marker, subjects)
    assert admin.refresh_grants(AVERY) == admin.refresh_grants(JORDAN) == 1, "each renewed once, for itself"
    assert site.status(avery_person)["account"]["email"] == AVERY
    assert site.status(jordan_person)["account"]["email"] == JORDAN


def expire_stored_tokens(user_ids: list[int]) -> None:
    """Make the vault see the users' access tokens as expired, so the calls below race to renew them."""
    from crm_app.db import session_scope
    from crm_app.models import Integration

    with session_scope() as s:
        for row in s.exec(select(Integration).where(Integration.user_id.in_(user_ids))).all():  # type: ignore[attr-defined]
            row.token_expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            s.add(row)
