"""The app's backend as a process for abuse tests, sharing its database and key with the test process, and the
browser's side of the Microsoft 365 OAuth dance (consent page, redirect) scripted over HTTP."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.support.procs import ServerProcess

APP_BACKEND = "tests.faults.app_backend"
SESSION_COOKIE = "crm_session"
PASSWORD = "long enough pw"
CALLBACK_PATH = "/api/v1/integrations/ms365/callback"
HTTP_TIMEOUT = 30.0
_REQUEST_ID = re.compile(r'name="request_id" value="([^"]+)"')


@dataclass(frozen=True)
class Person:
    """A signed-in app user: who, and the session token the browser would hold in its cookie."""

    user_id: int
    session_id: int
    email: str
    token: str


@dataclass(frozen=True)
class AppSite:
    """The running app backend and the URL the browser reaches it on."""

    process: ServerProcess

    @property
    def url(self) -> str:
        return self.process.url

    def get(self, path: str, person: Person | None = None, **kw) -> httpx.Response:
        return self.request("GET", path, person, **kw)

    def request(self, method: str, path: str, person: Person | None = None, *, cookie: str | None = None,
                headers: dict[str, str] | None = None, **kw) -> httpx.Response:
        """One request with ``person``'s session cookie, or a raw ``cookie`` value sent byte for byte."""
        sent = [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
        if person is not None:
            cookie = person.token
        if cookie is not None:
            sent.append((b"cookie", f"{SESSION_COOKIE}={cookie}".encode()))
        return httpx.request(method, self.url + path, headers=sent, timeout=HTTP_TIMEOUT, **kw)

    def status(self, person: Person) -> dict:
        answer = self.get("/api/v1/integrations/ms365/status?live=0", person)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def consent(self, person: Person, mailbox: str) -> str:
        """Start connecting as ``person``, accept as ``mailbox`` on the sandbox's page; the callback URL it sends
        the browser to (not followed)."""
        started = self.get("/api/v1/integrations/ms365/auth", person)
        assert started.status_code == 200, started.text
        auth_url = started.json()["auth_url"]
        page = httpx.get(auth_url, timeout=HTTP_TIMEOUT)
        assert page.status_code == 200, page.text
        match = _REQUEST_ID.search(page.text)
        assert match, "the consent page carries a request id"
        decided = httpx.post(auth_url.split("?", 1)[0], data={"request_id": unescape(match.group(1)), "user": mailbox,
                                                             "action": "accept"}, timeout=HTTP_TIMEOUT)
        assert decided.status_code == 302, decided.text
        callback = decided.headers["location"]
        assert urlsplit(callback).path == CALLBACK_PATH
        return callback

    def finish(self, person: Person | None, callback_url: str) -> httpx.Response:
        """The browser arriving at the callback with ``person``'s session cookie (or none)."""
        parts = urlsplit(callback_url)
        return self.get(f"{parts.path}?{parts.query}", person, follow_redirects=False)


def sign_up(name: str = "Abuse Tester") -> Person:
    """A new account, signed in (in this process, against the app's database)."""
    from crm_app.services import auth

    email = f"abuse-{uuid.uuid4().hex[:10]}@example.com"
    auth.sign_up(email, PASSWORD, name, "Europe/London")
    return sign_in(email)


def sign_in(email: str) -> Person:
    from crm_app.services import auth

    user, token = auth.sign_in(email, PASSWORD)
    return Person(user.id, user.session_id, email, token)


def state_of(callback_url: str) -> str:
    return parse_qs(urlsplit(callback_url).query)["state"][0]


def with_state(callback_url: str, state: str) -> str:
    parts = urlsplit(callback_url)
    query = parse_qs(parts.query)
    query["state"] = [state]
    return parts._replace(query=urlencode({k: v[0] for k, v in query.items()})).geturl()
