"""Sessions: every JSON endpoint the app mounts answers 401 without a live session — no cookie, a forged one, an
expired, revoked or deactivated one — and refuses state changes from other sites."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlmodel import select
from starlette.routing import Route

from tests.abuse.site import AppSite, Person, sign_up

PUBLIC_PATHS = frozenset({"/api/v1/health"})
BROWSER_PAGES = frozenset({"/api/v1/integrations/ms365/callback"})
FORGED = [
    secrets.token_urlsafe(32),
    "",
    "two words",
    "A" * 201,
    "A" * 20_000,
    "' OR '1'='1",
    "%00%0d%0aSet-Cookie:x=y",
    "jörg-ünïcödé",
    "null",
    "undefined",
]


def mounted_routes() -> list[tuple[str, str]]:
    """(method, path) of every route the app's API mounts, with path parameters filled in."""
    from crm_app import api

    out = []
    for route in api.build().routes:
        assert isinstance(route, Route), f"{route!r} is not a plain route; teach this test to reach it"
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            out.append((method, route.path.replace("{", "").replace("}", "")))
    return out


def protected() -> list[tuple[str, str]]:
    return [(m, p) for m, p in mounted_routes() if p not in PUBLIC_PATHS]


def assert_refused(site: AppSite, method: str, path: str, cookie: str | None) -> None:
    answer = site.request(method, path, cookie=cookie)
    assert answer.status_code == 401, f"{method} {path} answered {answer.status_code}: {answer.text[:200]}"
    assert answer.headers.get("set-cookie") is None or "crm_session" not in answer.headers["set-cookie"]
    if path in BROWSER_PAGES:
        assert "Sign in first" in answer.text and "text/html" in answer.headers["content-type"]
    else:
        assert answer.json()["error"]["code"] == "unauthorized", f"{method} {path}"
        assert "Sign in" in answer.json()["error"]["message"]


def test_the_api_mounts_the_expected_surface():
    routes = mounted_routes()
    assert ("GET", "/api/v1/me") in routes and ("GET", "/api/v1/integrations/ms365/status") in routes
    assert len(protected()) >= 6


@pytest.mark.parametrize("method,path", protected())
def test_every_endpoint_without_a_session_is_401(site: AppSite, method: str, path: str):
    assert_refused(site, method, path, None)


@pytest.mark.parametrize("token", FORGED, ids=[f"forged{i}" for i in range(len(FORGED))])
def test_forged_session_tokens_are_401_everywhere(site: AppSite, token: str):
    for method, path in protected():
        assert_refused(site, method, path, token)


def _age_session(person: Person, **changes) -> None:
    from crm_app.db import session_scope
    from crm_app.models import AuthSession, User

    with session_scope() as s:
        row = s.get(AuthSession, person.session_id)
        for name, value in changes.items():
            if name == "user_active":
                user = s.exec(select(User).where(User.id == person.user_id)).one()
                user.is_active = value
                s.add(user)
            else:
                setattr(row, name, value)
        s.add(row)


@pytest.mark.parametrize("change", ["expired", "revoked", "signed_out", "deactivated"])
def test_dead_sessions_are_401_everywhere(site: AppSite, change: str):
    from crm_app.services import auth

    person = sign_up()
    assert site.get("/api/v1/me", person).status_code == 200
    now = dt.datetime.now(dt.UTC)
    if change == "expired":
        _age_session(person, expires_at=now - dt.timedelta(seconds=1))
    elif change == "revoked":
        _age_session(person, revoked_at=now)
    elif change == "signed_out":
        auth.sign_out(person.token)
    else:
        _age_session(person, user_active=False)
    for method, path in protected():
        assert_refused(site, method, path, person.token)


def test_a_session_is_exactly_its_token(site: AppSite):
    first, second = sign_up("First Person"), sign_up("Second Person")
    assert site.get("/api/v1/me", first).json()["email"] == first.email
    assert site.get("/api/v1/me", second).json()["email"] == second.email
    for near in (first.token[:-1], first.token + "x", first.token.upper(), first.token[1:] + first.token[0]):
        assert site.get("/api/v1/me", cookie=near).status_code == 401


@pytest.mark.parametrize("method,path", [("POST", "/api/v1/integrations/ms365/test"),
                                         ("DELETE", "/api/v1/integrations/ms365")])
def test_state_changes_from_another_site_are_refused(site: AppSite, method: str, path: str):
    person = sign_up()
    answer = site.request(method, path, person, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden_origin"
    same_site = site.request(method, path, person, headers={"Origin": site.url})
    assert same_site.status_code == 200
