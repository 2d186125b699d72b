"""Token service: codes, rotation, revocation, expiry, and the 401 shapes Graph returns."""

from __future__ import annotations

import time

import pytest

from crm_app.sandbox.errors import GraphError, OAuthError
from crm_app.sandbox.identity.scopes import parse_scopes
from crm_app.sandbox.identity.tokens import (
    ACCESS_PREFIX,
    GRANT_AUTHORIZATION_CODE,
    GRANT_REFRESH_TOKEN,
    REFRESH_PREFIX,
    Grant,
    TokenService,
)

USER = "avery.chen@northwind.example"


@pytest.fixture
def service():
    return TokenService(access_lifetime=3600, refresh_lifetime=86400)


def grant(scopes="Mail.Read offline_access openid", client="crm-app-demo"):
    return Grant(USER, client, parse_scopes(scopes))


def test_scopes_accept_both_forms_and_reject_unknown():
    parsed = parse_scopes("https://graph.microsoft.com/Mail.Read mail.send openid offline_access")
    assert parsed.graph == ("Mail.Read", "Mail.Send") and parsed.offline
    assert "offline_access" not in parsed.granted().split()
    assert len(parse_scopes("https://graph.microsoft.com/.default").graph) > 20
    for bad in ("Mail.Bogus", "https://other.example/read", ""):
        with pytest.raises(OAuthError) as caught:
            parse_scopes(bad)
        assert caught.value.error in ("invalid_scope", "invalid_request")


def test_issue_and_authenticate(service):
    pair = service.issue(grant(), GRANT_AUTHORIZATION_CODE)
    assert pair.access.token.startswith(ACCESS_PREFIX) and pair.refresh.token.startswith(REFRESH_PREFIX)
    assert service.authenticate(f"Bearer {pair.access.token}") is pair.access
    assert service.grant_counts() == {USER: {GRANT_AUTHORIZATION_CODE: 1}}
    assert service.issue(grant("Mail.Read"), GRANT_AUTHORIZATION_CODE).refresh is None


@pytest.mark.parametrize("header, fragment", [
    (None, "Access token is empty"),
    ("Basic abc", "must be 'Bearer"),
    ("Bearer sbx_at_unknown", "not well formed"),
])
def test_bad_headers(service, header, fragment):
    with pytest.raises(GraphError) as caught:
        service.authenticate(header)
    assert caught.value.status == 401 and caught.value.code == "InvalidAuthenticationToken"
    assert fragment in caught.value.message and "WWW-Authenticate" in caught.value.headers


def test_expiry_and_revocation(service):
    short = service.issue(grant(), GRANT_AUTHORIZATION_CODE, lifetime=1)
    short.access.expires_at = time.time() - 1
    with pytest.raises(GraphError) as caught:
        service.authenticate(f"Bearer {short.access.token}")
    assert "expired" in caught.value.message
    live = service.issue(grant(), GRANT_AUTHORIZATION_CODE)
    assert service.revoke_user(USER) == 4
    with pytest.raises(GraphError) as caught:
        service.authenticate(f"Bearer {live.access.token}")
    assert "revoked" in caught.value.message
    with pytest.raises(OAuthError) as refused:
        service.use_refresh_token(live.refresh.token, "crm-app-demo")
    assert refused.value.aadsts == 50173


def test_refresh_tokens_rotate_once(service):
    pair = service.issue(grant(), GRANT_AUTHORIZATION_CODE)
    used = service.use_refresh_token(pair.refresh.token, "crm-app-demo")
    assert used.used
    with pytest.raises(OAuthError) as caught:
        service.use_refresh_token(pair.refresh.token, "crm-app-demo")
    assert caught.value.error == "invalid_grant" and caught.value.aadsts == 70000
    with pytest.raises(OAuthError):
        service.use_refresh_token(service.issue(grant(), GRANT_REFRESH_TOKEN).refresh.token, "other-client")
    expired = service.issue(grant(), GRANT_REFRESH_TOKEN)
    expired.refresh.expires_at = time.time() - 1
    with pytest.raises(OAuthError) as caught:
        service.use_refresh_token(expired.refresh.token, "crm-app-demo")
    assert caught.value.aadsts == 700082


def test_codes_are_single_use_and_bound_to_the_client(service):
    code = service.new_code(grant(), "http://localhost:3000/cb", "challenge", "S256", "nonce")
    with pytest.raises(OAuthError):
        service.redeem_code(code, "someone-else")
    record = service.redeem_code(code, "crm-app-demo")
    assert record.nonce == "nonce" and record.redirect_uri == "http://localhost:3000/cb"
    with pytest.raises(OAuthError) as caught:
        service.redeem_code(code, "crm-app-demo")
    assert caught.value.aadsts == 54005
    stale = service.new_code(grant(), "http://localhost/cb", None, None, None)
    service.codes[stale].expires_at = time.time() - 1
    with pytest.raises(OAuthError) as caught:
        service.redeem_code(stale, "crm-app-demo")
    assert caught.value.aadsts == 70008


def test_issued_list_describes_every_token(service):
    service.issue(grant(), GRANT_AUTHORIZATION_CODE)
    kinds = [entry.describe()["type"] for entry in service.issued]
    assert kinds == ["access_token", "refresh_token"]
