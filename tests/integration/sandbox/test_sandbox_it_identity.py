"""The identity provider with real msal: auth code + PKCE, consent, refresh rotation, expiry, revocation."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import urlencode

import httpx
import jwt
import msal
import pytest
from bs4 import BeautifulSoup
from sandbox_it_support import (
    AVERY,
    CLIENT_ID,
    CLIENT_SECRET,
    EXTRA_REDIRECT,
    JORDAN,
    TENANT_ID,
    LoopbackSession,
    authority,
    consent,
    hidden_inputs,
)

REDIRECT = "http://localhost:3000/auth/callback"
SCOPES = ["https://graph.microsoft.com/Mail.Read", "User.Read"]


def make_app(sandbox, secret: str = CLIENT_SECRET, tenant: str = TENANT_ID) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        CLIENT_ID, client_credential=secret, authority=authority(sandbox.port, tenant),
        instance_discovery=False, http_client=LoopbackSession(sandbox.port),
    )


def sign_in(sandbox, user=AVERY, scopes=SCOPES, redirect=REDIRECT, **flow_args):
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(scopes, redirect_uri=redirect, **flow_args)
    return app, flow, app.acquire_token_by_auth_code_flow(flow, consent(flow["auth_uri"], user))


def me(sandbox, token):
    return httpx.get(f"{sandbox.url}/v1.0/me", headers={"Authorization": f"Bearer {token}"})


def test_auth_code_flow_with_pkce(sandbox):
    app, flow, result = sign_in(sandbox)
    assert "error" not in result, result
    assert "code_challenge_method=S256" in flow["auth_uri"]
    assert result["access_token"].startswith("sbx_at_") and result["refresh_token"].startswith("sbx_rt_")
    assert set(result["scope"].split()) >= {"Mail.Read", "User.Read"}
    claims = result["id_token_claims"]
    assert claims["aud"] == CLIENT_ID and claims["tid"] == TENANT_ID
    assert claims["iss"] == f"https://127.0.0.1:{sandbox.port}/{TENANT_ID}/v2.0"
    assert claims["preferred_username"] == AVERY and claims["oid"] == "11111111-1111-4111-8111-111111111111"
    [account] = app.get_accounts()
    assert account["username"] == AVERY and account["home_account_id"].endswith(TENANT_ID)
    assert me(sandbox, result["access_token"]).json()["mail"] == AVERY


def test_id_token_signature_verifies_with_the_published_keys(sandbox):
    _, _, result = sign_in(sandbox)
    keys = httpx.get(f"{sandbox.url}/{TENANT_ID}/discovery/v2.0/keys").json()["keys"]
    key = jwt.PyJWK(keys[0])
    claims = jwt.decode(result["id_token"], key.key, algorithms=["RS256"], audience=CLIENT_ID,
                        issuer=f"https://127.0.0.1:{sandbox.port}/{TENANT_ID}/v2.0")
    assert claims["name"] == "Avery Chen" and "nonce" in claims


def test_consent_page_lists_users_scopes_and_escapes(sandbox):
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(["Mail.Read", "Calendars.ReadWrite"], redirect_uri=REDIRECT,
                                       login_hint=JORDAN, state="<b>st&ate</b>")
    page = httpx.get(flow["auth_uri"])
    assert page.status_code == 200 and page.headers["content-security-policy"].startswith("default-src 'none'")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("script") is None
    radios = soup.find_all("input", attrs={"name": "user"})
    assert {r["id"] for r in radios} == {"user-avery.chen", "user-jordan.patel", "user-sam.rivera", "user-morgan.lee"}
    assert soup.find("input", id="user-jordan.patel").has_attr("checked")
    assert soup.find(id="consent-accept")["value"] == "accept" and soup.find(id="consent-decline")["value"] == "decline"
    text = soup.get_text(" ")
    assert "Read your mail" in text and "Have full access to your calendars" in text and "CRM App (demo)" in text
    assert "<b>st&ate</b>" not in page.text
    result = app.acquire_token_by_auth_code_flow(flow, consent(flow["auth_uri"], JORDAN))
    assert result["id_token_claims"]["preferred_username"] == JORDAN


def test_declined_consent_redirects_with_access_denied(sandbox):
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT)
    response = consent(flow["auth_uri"], None, action="decline")
    assert response["error"] == "access_denied" and response["state"] == flow["state"]
    assert response["error_description"].startswith("AADSTS65004")
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert result["error"] == "access_denied" and "access_token" not in result


def test_accept_without_a_user_shows_the_page_again(sandbox):
    flow = make_app(sandbox).initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT)
    page = httpx.get(flow["auth_uri"])
    fields = hidden_inputs(page.text) | {"action": "accept"}
    action = BeautifulSoup(page.text, "html.parser").find("form")["action"]
    again = httpx.post(f"{sandbox.url}{action}", data=fields)
    assert again.status_code == 400 and "Choose one of the demo accounts" in again.text
    used = httpx.post(f"{sandbox.url}{action}", data={"request_id": "nope", "action": "accept", "user": AVERY})
    assert used.status_code == 400 and "expired" in used.text


def test_refresh_rotates_and_a_used_refresh_token_is_rejected(sandbox, admin):
    app, _, first = sign_in(sandbox)
    second = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    assert "error" not in second and second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    reused = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    assert reused["error"] == "invalid_grant" and reused["error_codes"] == [70000]
    third = app.acquire_token_by_refresh_token(second["refresh_token"], SCOPES)
    assert "access_token" in third
    grants = admin.get("/stats").json()["token_grants"][AVERY]
    assert grants == {"authorization_code": 1, "refresh_token": 2}


def test_refresh_cannot_widen_the_grant(sandbox):
    app, _, first = sign_in(sandbox)
    wider = app.acquire_token_by_refresh_token(first["refresh_token"], ["Mail.Send"])
    assert wider["error"] == "invalid_grant" and wider["error_codes"] == [65001]


def test_access_tokens_expire_and_refresh_restores_access(sandbox, admin):
    admin.post("/config", json={"token_lifetime": 1}).raise_for_status()
    app, _, first = sign_in(sandbox)
    assert first["expires_in"] == 1
    time.sleep(1.2)
    expired = me(sandbox, first["access_token"])
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "InvalidAuthenticationToken" and "expired" in expired.text
    assert "invalid_token" in expired.headers["www-authenticate"]
    admin.post("/config", json={"token_lifetime": 3600}).raise_for_status()
    fresh = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    assert me(sandbox, fresh["access_token"]).status_code == 200


def test_revocation_kills_access_and_refresh_tokens(sandbox, admin):
    app, _, result = sign_in(sandbox)
    assert admin.post("/revoke", json={"user": AVERY}).json()["revoked"] == 2
    response = me(sandbox, result["access_token"])
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]
    refused = app.acquire_token_by_refresh_token(result["refresh_token"], SCOPES)
    assert refused["error"] == "invalid_grant" and refused["error_codes"] == [50173]
    _, _, again = sign_in(sandbox)
    assert me(sandbox, again["access_token"]).status_code == 200


def test_wrong_client_secret(sandbox):
    app = make_app(sandbox, secret="not-the-secret")
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT)
    result = app.acquire_token_by_auth_code_flow(flow, consent(flow["auth_uri"], AVERY))
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000215]


@pytest.mark.parametrize("params, title", [
    ({"client_id": "someone-else"}, "Unknown application"),
    ({"redirect_uri": "https://evil.example/callback"}, "Redirect URI not registered"),
])
def test_bad_client_or_redirect_shows_an_error_page_and_never_redirects(sandbox, params, title):
    query = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT, "scope": "User.Read",
             "state": "s"} | params
    response = httpx.get(f"{sandbox.url}/{TENANT_ID}/oauth2/v2.0/authorize?{urlencode(query)}")
    assert response.status_code == 400 and "location" not in response.headers
    assert title in response.text and "AADSTS" in response.text


def test_registered_redirect_and_errors_sent_back_to_the_app(sandbox):
    base = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": EXTRA_REDIRECT, "state": "xyz"}
    ok = httpx.get(f"{sandbox.url}/common/oauth2/v2.0/authorize?{urlencode(base | {'scope': 'User.Read'})}")
    assert ok.status_code == 200 and "consent-accept" in ok.text
    for extra, error in (({"scope": "Mail.Bogus"}, "invalid_scope"),
                         ({"scope": "User.Read", "prompt": "none"}, "login_required"),
                         ({"scope": "User.Read", "response_type": "token"}, "unsupported_response_type")):
        response = httpx.get(f"{sandbox.url}/common/oauth2/v2.0/authorize?{urlencode(base | extra)}")
        assert response.status_code == 302
        location = response.headers["location"]
        assert location.startswith(EXTRA_REDIRECT + "?") and f"error={error}" in location and "state=xyz" in location


def test_form_post_response_mode(sandbox):
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT, response_mode="form_post")
    page = httpx.get(flow["auth_uri"])
    fields = hidden_inputs(page.text) | {"action": "accept", "user": AVERY}
    action = BeautifulSoup(page.text, "html.parser").find("form")["action"]
    handoff = httpx.post(f"{sandbox.url}{action}", data=fields)
    assert handoff.status_code == 200 and f'action="{REDIRECT}"' in handoff.text
    nonce = handoff.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in handoff.text
    result = app.acquire_token_by_auth_code_flow(flow, hidden_inputs(handoff.text))
    assert "access_token" in result


def manual_code(sandbox, verifier: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT, "scope": "User.Read openid",
             "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"}
    return consent(f"{sandbox.url}/{TENANT_ID}/oauth2/v2.0/authorize?{urlencode(query)}", AVERY)["code"]


def redeem(sandbox, **fields):
    body = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT} | fields
    return httpx.post(f"{sandbox.url}/{TENANT_ID}/oauth2/v2.0/token", data=body)


def test_pkce_is_verified_and_codes_are_single_use(sandbox):
    verifier = secrets.token_urlsafe(48)
    wrong = redeem(sandbox, code=manual_code(sandbox, verifier), code_verifier="x" * 50)
    assert wrong.status_code == 400 and wrong.json()["error_codes"] == [501481]
    code = manual_code(sandbox, verifier)
    missing = redeem(sandbox, code=code)
    assert missing.json()["error_codes"] == [50148]
    code = manual_code(sandbox, verifier)
    assert redeem(sandbox, code=code, code_verifier=verifier, redirect_uri="http://localhost:9/x").json()[
        "error_codes"] == [50011]
    code = manual_code(sandbox, verifier)
    good = redeem(sandbox, code=code, code_verifier=verifier)
    assert good.status_code == 200 and good.headers["cache-control"] == "no-store"
    again = redeem(sandbox, code=code, code_verifier=verifier)
    assert again.json()["error"] == "invalid_grant" and again.json()["error_codes"] == [54005]


def test_token_endpoint_errors(sandbox):
    url = f"{sandbox.url}/{TENANT_ID}/oauth2/v2.0/token"
    cases = [
        ({"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, 400,
         "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "client_id": CLIENT_ID}, 401, "invalid_client"),
        ({"grant_type": "refresh_token", "client_id": "other", "client_secret": "x"}, 400, "unauthorized_client"),
        ({"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
          "refresh_token": "sbx_rt_nope"}, 400, "invalid_grant"),
    ]
    for data, status, error in cases:
        response = httpx.post(url, data=data)
        assert response.status_code == status and response.json()["error"] == error, data
        assert response.json()["error_description"].startswith("AADSTS")
    as_json = httpx.post(url, json={"grant_type": "refresh_token"})
    assert as_json.json()["error"] == "invalid_request"
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    with_basic = httpx.post(url, data={"grant_type": "password"}, headers={"Authorization": f"Basic {basic}"})
    assert with_basic.json()["error"] == "unsupported_grant_type"


def test_logout_redirects_only_to_registered_uris(sandbox):
    ok = httpx.get(f"{sandbox.url}/common/oauth2/v2.0/logout", params={"post_logout_redirect_uri": REDIRECT})
    assert ok.status_code == 302 and ok.headers["location"] == REDIRECT
    page = httpx.get(f"{sandbox.url}/common/oauth2/v2.0/logout", params={"post_logout_redirect_uri": "https://evil.example"})
    assert page.status_code == 200 and "signed out" in page.text
