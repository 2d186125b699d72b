"""Connecting Microsoft 365 over real HTTP: consent, state checks, PKCE, declined consent, disconnect."""

from __future__ import annotations

import datetime as dt

import httpx
import sqlalchemy as sa
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.microsoft.states import state_digest
from crm_app.models import Integration, OAuthState
from crm_app.services import crm
from tests.integration.integrations.conftest import AVERY, Browser, query_of

STATUS = "/api/v1/integrations/ms365/status?live=0"


def _integration(user_id: int) -> Integration | None:
    with session_scope() as s:
        return s.exec(select(Integration).where(Integration.user_id == user_id)).first()


def _refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text and "Nothing was changed" in response.text
    assert "Traceback" not in response.text


def test_connect_lands_back_in_settings_connected(stack, person):
    alice = person()
    auth_url = alice.browser.start()
    params = query_of(auth_url)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert "offline_access" in params["scope"] and "Mail.Send" in params["scope"]
    assert params["redirect_uri"] == f"{stack.api_url}/api/v1/integrations/ms365/callback"
    back = alice.browser.callback(alice.browser.consent(auth_url))
    assert back.status_code == 303
    assert back.headers["location"] == f"{stack.api_url}/settings?ms365=connected"
    status = alice.browser.api("GET", STATUS).json()
    assert status["connected"] is True and status["status"] == "connected"
    assert status["account"] == {"email": AVERY, "name": "Avery Chen"}
    assert "Mail.ReadWrite" in status["scopes"] and "offline_access" in status["scopes"]
    assert dt.datetime.fromisoformat(status["token_expires_at"]) > utcnow()
    assert "token" not in str({k: v for k, v in status.items() if k != "token_expires_at"}).lower()


def test_endpoints_need_a_session(stack):
    anonymous = Browser(stack, None)
    for method, path in [("GET", "/api/v1/integrations/ms365/auth"), ("GET", "/api/v1/integrations/ms365/status"),
                         ("POST", "/api/v1/integrations/ms365/test"), ("DELETE", "/api/v1/integrations/ms365"),
                         ("GET", "/api/v1/mcp/status")]:
        response = anonymous.api(method, path)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthorized"
    page = anonymous.api("GET", "/api/v1/integrations/ms365/callback?code=x&state=y")
    assert page.status_code == 401 and "Sign in first" in page.text


def test_a_tampered_state_is_refused_and_changes_nothing(stack, person):
    alice = person()
    redirect = alice.browser.consent(alice.browser.start())
    state = query_of(redirect)["state"]
    _refused(alice.browser.callback(redirect.replace(f"state={state}", f"state={state[:-2]}xy")), "altered")
    _refused(alice.browser.callback(redirect.replace(f"state={state}", "state=")), "no state")
    assert _integration(alice.user.id) is None
    assert alice.browser.callback(redirect).status_code == 303


def test_a_replayed_callback_is_refused_and_changes_nothing(stack, person):
    alice = person()
    redirect = alice.browser.consent(alice.browser.start())
    assert alice.browser.callback(redirect).status_code == 303
    before = _integration(alice.user.id)
    _refused(alice.browser.callback(redirect), "already used")
    after = _integration(alice.user.id)
    assert (after.connected_at, after.access_token_enc) == (before.connected_at, before.access_token_enc)


def test_an_expired_state_is_refused(stack, person):
    alice = person()
    redirect = alice.browser.consent(alice.browser.start())
    with session_scope() as s:
        s.execute(sa.update(OAuthState).where(OAuthState.state_hash == state_digest(query_of(redirect)["state"]))
                  .values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    _refused(alice.browser.callback(redirect), "10 minutes")
    assert _integration(alice.user.id) is None


def test_someone_elses_callback_is_refused_and_theirs_still_works(stack, person):
    alice, mallory = person(), person()
    redirect = alice.browser.consent(alice.browser.start())
    _refused(mallory.browser.callback(redirect), "another account")
    assert _integration(mallory.user.id) is None and _integration(alice.user.id) is None
    assert alice.browser.callback(redirect).status_code == 303
    assert _integration(alice.user.id).account_email == AVERY


def test_a_declined_consent_returns_to_settings_with_the_reason(stack, person):
    alice = person()
    back = alice.browser.callback(alice.browser.consent(alice.browser.start(), action="decline"))
    assert back.status_code == 303
    target = back.headers["location"]
    assert target.startswith(f"{stack.api_url}/settings?")
    params = query_of(target)
    assert params["ms365"] == "declined" and "declined" in params["reason"]
    assert _integration(alice.user.id) is None


def test_pkce_an_intercepted_code_is_useless_without_the_verifier(stack, person, sandbox):
    alice = person()
    redirect = alice.browser.consent(alice.browser.start())
    code = query_of(redirect)["code"]
    token_url = f"{sandbox.url}/common/oauth2/v2.0/token"
    stolen = httpx.post(token_url, data={
        "grant_type": "authorization_code", "code": code, "client_id": "crm-app-demo",
        "client_secret": "demo-client-secret", "redirect_uri": f"{stack.api_url}/api/v1/integrations/ms365/callback",
    })
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    assert "code_verifier" in stolen.json()["error_description"]


def test_pkce_a_code_from_another_authorization_is_refused(stack, person):
    alice = person()
    first = alice.browser.consent(alice.browser.start())
    second = alice.browser.consent(alice.browser.start())
    mixed = first.replace(f"code={query_of(first)['code']}", f"code={query_of(second)['code']}")
    response = alice.browser.callback(mixed)
    assert response.status_code == 400 and "Microsoft 365 was not connected" in response.text
    assert "code_verifier" in response.text.lower() or "code_challenge" in response.text.lower()
    assert _integration(alice.user.id) is None


def test_disconnect_deletes_the_tokens_and_keeps_crm_data(stack, person):
    alice = person()
    assert alice.browser.connect().status_code == 303
    company = crm.create_company({"name": "Kept Ltd"}, alice.user.id)
    contact = crm.create_contact({"first_name": "Kim", "last_name": "Kept", "email": "kim@kept.example",
                                  "company_id": company["id"]}, alice.user.id)
    response = alice.browser.api("DELETE", "/api/v1/integrations/ms365")
    assert response.json() == {"disconnected": True}
    assert _integration(alice.user.id) is None
    assert crm.get_company(company["id"])["name"] == "Kept Ltd"
    assert crm.get_contact(contact["id"])["email"] == "kim@kept.example"
    assert alice.browser.api("GET", STATUS).json()["status"] == "not_connected"
    assert alice.browser.api("DELETE", "/api/v1/integrations/ms365").json() == {"disconnected": False}


def test_state_changes_from_another_site_are_refused(stack, person):
    alice = person()
    response = alice.browser.api("DELETE", "/api/v1/integrations/ms365", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
