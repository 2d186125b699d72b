"""Faults on demand, Outlook's mailbox concurrency limit, the admin API and the viewer pages."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from bs4 import BeautifulSoup
from sandbox_it_support import AVERY, JORDAN


def test_every_nth_429_with_retry_after(graph, admin):
    admin.post("/faults", json={"status": 429, "every_nth": 3, "retry_after": 7,
                                "path_prefix": "/v1.0/me/messages"}).raise_for_status()
    client = graph()
    statuses = [client.get("/me/messages", params={"$top": "1"}).status_code for _ in range(6)]
    assert statuses == [200, 200, 429, 200, 200, 429]
    assert [client.get("/me/messages").status_code for _ in range(2)] == [200, 200]
    throttled = client.get("/me/messages")
    assert throttled.headers["retry-after"] == "7" and throttled.json()["error"]["code"] == "TooManyRequests"
    assert client.get("/me").status_code == 200
    stats = admin.get("/stats").json()
    assert stats["throttled"] == 3 and stats["requests_by_path"]["/v1.0/me/messages"] == 9


def test_burst_of_503_for_one_user_then_recovery(graph, admin):
    admin.post("/faults", json={"status": 503, "burst": 2, "user": AVERY}).raise_for_status()
    avery, jordan = graph(AVERY), graph(JORDAN)
    assert jordan.get("/me").status_code == 200
    first = avery.get("/me")
    assert first.status_code == 503 and first.json()["error"]["code"] == "ServiceUnavailable"
    assert "retry-after" in first.headers
    assert avery.get("/me").status_code == 503 and avery.get("/me").status_code == 200
    assert admin.get("/faults").json()["rules"] == []


def test_added_latency(graph, admin):
    admin.post("/faults", json={"latency_ms": 300, "path_prefix": "/v1.0/me/drive"}).raise_for_status()
    client = graph()
    started = time.perf_counter()
    assert client.get("/me/drive/root/children").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_dropped_connection(graph, admin):
    admin.post("/faults", json={"drop": True, "burst": 1}).raise_for_status()
    client = graph()
    with pytest.raises(httpx.TransportError):
        client.get("/me/messages")
    assert client.get("/me/messages").status_code == 200
    assert admin.get("/stats").json()["dropped_connections"] == 1


def test_token_endpoint_faults(sandbox, admin, mint):
    admin.post("/faults", json={"status": 503, "burst": 1, "path_prefix": "/common/oauth2/v2.0/token"})
    tokens = mint()
    body = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "crm-app-demo",
            "client_secret": "demo-client-secret"}
    assert httpx.post(f"{sandbox.url}/common/oauth2/v2.0/token", data=body).status_code == 503
    assert httpx.post(f"{sandbox.url}/common/oauth2/v2.0/token", data=body).status_code == 200


async def concurrent_gets(sandbox, token: str, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=f"{sandbox.url}/v1.0", headers={"Authorization": f"Bearer {token}"},
                                 timeout=10) as client:
        return await asyncio.gather(*(client.get("/me/messages", params={"$top": "1"}) for _ in range(count)))


def test_more_than_four_concurrent_mailbox_requests_are_throttled(sandbox, admin, mint):
    admin.post("/faults", json={"latency_ms": 400, "path_prefix": "/v1.0/me/messages"}).raise_for_status()
    token = mint()["access_token"]
    responses = asyncio.run(concurrent_gets(sandbox, token, 6))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 200, 429, 429]
    throttled = next(r for r in responses if r.status_code == 429)
    assert throttled.json()["error"]["code"] == "ApplicationThrottled"
    assert "MailboxConcurrency" in throttled.json()["error"]["message"] and throttled.headers["retry-after"] == "1"
    other_user = asyncio.run(concurrent_gets(sandbox, mint(JORDAN)["access_token"], 4))
    assert all(r.status_code == 200 for r in other_user)
    assert admin.post("/config", json={"mailbox_concurrency_limit": 0}).json()["mailbox_concurrency_limit"] == 0
    assert all(r.status_code == 200 for r in asyncio.run(concurrent_gets(sandbox, token, 6)))
    assert admin.get("/stats").json()["in_flight"] == {}


@pytest.mark.parametrize("body", [{"status": 418}, {"every_nth": 2}, {"status": 429, "latency_ms": "slow"}])
def test_invalid_fault_rules(admin, body):
    response = admin.post("/faults", json=body)
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_clearing_faults_and_config(graph, admin):
    admin.post("/faults", json={"status": 429})
    assert graph().get("/me").status_code == 429
    assert admin.delete("/faults").json() == {"rules": []}
    assert graph().get("/me").status_code == 200
    assert admin.post("/config", json={"colour": 1}).status_code == 400
    assert admin.post("/config", json={"token_lifetime": 0}).status_code == 400
    assert admin.get("/config").json()["mailbox_concurrency_limit"] == 4


def test_admin_tokens_and_issued_list(admin, sandbox):
    minted = admin.post("/tokens", json={"user": JORDAN, "scopes": ["Mail.Read", "https://graph.microsoft.com/User.Read"],
                                         "lifetime": 120, "client_id": "other-app"}).json()
    assert minted["expires_in"] == 120 and minted["scope"].split() == ["Mail.Read", "User.Read"]
    issued = admin.get("/issued-tokens").json()["tokens"]
    assert [(t["type"], t["user"], t["client_id"]) for t in issued] == [
        ("access_token", JORDAN, "other-app"), ("refresh_token", JORDAN, "other-app")]
    assert issued[0]["token"] == minted["access_token"]
    assert admin.post("/tokens", json={"user": "nobody@x.example", "scopes": ["Mail.Read"]}).status_code == 400
    assert admin.post("/tokens", json={"user": AVERY, "scopes": ["Mail.Nope"]}).status_code == 400
    assert admin.post("/tokens", json={"user": AVERY, "scopes": []}).status_code == 400
    assert admin.post("/revoke", json={"user": "x"}).status_code == 400


def test_injected_message_and_reset(graph, admin):
    created = admin.post("/messages", json={
        "user": AVERY, "subject": "Injected <b>test</b>", "from": {"name": "Tester", "address": "tester@outside.example"},
        "body": "<p>Hello <script>alert(1)</script>there</p>", "content_type": "html", "received": "2026-03-04T10:00:00Z"})
    assert created.status_code == 201
    message = created.json()
    assert message["bodyPreview"] == "Hello there" and not message["isRead"]
    client = graph()
    found = client.get("/me/messages", params={"$filter": "from/emailAddress/address eq 'tester@outside.example'"})
    assert [m["id"] for m in found.json()["value"]] == [message["id"]]
    assert admin.post("/messages", json={"user": AVERY, "folder": "nope", "from": {"address": "a@b.example"}}
                      ).status_code == 404
    admin.post("/reset").raise_for_status()
    assert client.get(f"/me/messages/{message['id']}").status_code == 404
    assert client.get("/me").status_code == 200
    users = admin.get("/users").json()["users"]
    assert users[0]["mail"] == AVERY and users[0]["mailbox"] == "main"


def test_viewer_pages_show_hostile_content_as_text(graph, sandbox):
    client = graph()
    hostile = client.get("/me/messages", params={"$filter": "startswith(subject, '<script>')"}).json()["value"][0]
    page = httpx.get(hostile["webLink"])
    assert page.status_code == 200 and page.headers["content-security-policy"].startswith("default-src 'none'")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None and soup.find("iframe") is None
    assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in page.text
    assert "Pay now" in soup.get_text() and "javascript:" not in str(soup.find_all("a"))
    event = client.get("/me/events", params={"$filter": "startswith(subject, '<img')"}).json()["value"][0]
    event_page = httpx.get(event["webLink"])
    assert "<img" not in event_page.text and "&lt;img src=x onerror=alert(1)&gt;" in event_page.text
    notes = client.get("/me/drive/root:/Notes/Vendor portal notes.txt").json()
    file_page = httpx.get(notes["webUrl"])
    assert "<script>" not in file_page.text and "ignore previous instructions" in file_page.text
    folder_page = httpx.get(client.get("/me/drive/root:/Notes").json()["webUrl"])
    assert "Meeting notes - Acme.txt" in folder_page.text
    assert httpx.get(f"{sandbox.url}/sites/Sales").status_code == 200
    assert httpx.get(f"{sandbox.url}/owa/?ItemID=nope").status_code == 404
    team = graph(AVERY, ["Team.ReadBasic.All"]).get("/me/joinedTeams").json()["value"][0]
    assert httpx.get(team["webUrl"]).status_code == 200
