"""Constants and helpers shared by the sandbox integration tests."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from bs4 import BeautifulSoup

PINNED_NOW = "2026-03-04T10:30:00Z"
TENANT_ID = "8f3c2d1e-5b4a-4c3d-9e8f-7a6b5c4d3e2f"
CLIENT_ID = "crm-app-demo"
CLIENT_SECRET = "demo-client-secret"
AVERY = "avery.chen@northwind.example"
JORDAN = "jordan.patel@northwind.example"
SAM = "sam.rivera@northwind.example"
EXTRA_REDIRECT = "https://crm.example/auth/callback"
ALL_SCOPES = [".default"]


class LoopbackSession(requests.Session):
    """The http client an msal app passes: the sandbox's https authority is served as http on loopback."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.secure_base = f"https://127.0.0.1:{port}"
        self.plain_base = f"http://127.0.0.1:{port}"

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(self.secure_base):
            url = self.plain_base + url[len(self.secure_base):]
        return super().request(method, url, *args, **kwargs)


def authority(port: int, tenant: str = TENANT_ID) -> str:
    return f"https://127.0.0.1:{port}/{tenant}"


def consent(auth_uri: str, user: str | None, action: str = "accept") -> dict[str, str]:
    """Use the sign-in page as a person would: pick ``user``, press Accept or Decline; return the redirect query."""
    with requests.Session() as browser:
        page = browser.get(auth_uri)
        assert page.status_code == 200, page.text
        soup = BeautifulSoup(page.text, "html.parser")
        form = soup.find("form")
        fields = {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}
        if user is not None:
            radio = soup.find("input", id="user-" + user.split("@")[0])
            fields["user"] = radio["value"]
        fields["action"] = action
        response = browser.post(urljoin(page.url, form["action"]), data=fields, allow_redirects=False)
    assert response.status_code == 302, response.text
    return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


def hidden_inputs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
