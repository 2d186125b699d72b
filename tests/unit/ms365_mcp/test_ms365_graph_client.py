from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from crm_app.ms365_mcp.errors import GraphError, GraphTimeout, GraphUnavailable
from crm_app.ms365_mcp.graph import GraphClient, clean_params, parse_retry_after
from crm_app.ms365_mcp.settings import Settings

BASE = "https://graph.test/v1.0"
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records requests and the waits the client asks for."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def make_client(recorder: Recorder, **overrides: object) -> GraphClient:
    settings = Settings(GRAPH_BASE_URL=BASE, **overrides)
    return GraphClient(settings, transport=httpx.MockTransport(recorder), sleep=recorder.sleep)


def error(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": f"{code} happened"}}, headers=headers)


async def test_each_request_carries_its_own_token_and_no_cookie_is_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        user = request.headers["authorization"].removeprefix("Bearer ")
        return httpx.Response(200, json={"user": user}, headers={"Set-Cookie": f"affinity={user}; Path=/"})

    recorder = Recorder(handler)
    async with make_client(recorder) as graph:
        answers = await asyncio.gather(
            *(graph.get_json("/me", token=f"token-{i % 2}") for i in range(20))
        )
    assert [a["user"] for a in answers] == [f"token-{i % 2}" for i in range(20)]
    assert all("cookie" not in r.headers for r in recorder.requests)
    assert "authorization" not in graph.settings.model_dump()


async def test_blank_params_are_never_sent() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={}))
    async with make_client(recorder) as graph:
        await graph.get_json("/me/messages", token="t", params={"$search": None, "$filter": "  ", "$top": 5})
    assert str(recorder.requests[0].url) == f"{BASE}/me/messages?%24top=5"
    assert clean_params({"a": None, "b": "", "c": False, "d": "x"}) == {"c": "false", "d": "x"}


async def test_429_is_retried_after_retry_after() -> None:
    answers = iter([error(429, "TooManyRequests", {"Retry-After": "2"}), httpx.Response(200, json={"ok": 1})])
    recorder = Recorder(lambda r: next(answers))
    async with make_client(recorder) as graph:
        assert await graph.get_json("/me", token="t") == {"ok": 1}
    assert recorder.sleeps == [2.0]
    assert len(recorder.requests) == 2


async def test_retries_are_bounded_then_unavailable() -> None:
    recorder = Recorder(lambda r: error(503, "ServiceUnavailable", {"Retry-After": "1"}))
    async with make_client(recorder, GRAPH_MAX_RETRIES=2) as graph:
        with pytest.raises(GraphUnavailable) as caught:
            await graph.get_json("/me", token="t")
    assert len(recorder.requests) == 3
    assert recorder.sleeps == [1.0, 1.0]
    assert caught.value.status == 503
    assert caught.value.code == "GraphUnavailable"
    assert "Try again in 1 seconds" in caught.value.message


async def test_retry_after_beyond_cap_fails_at_once() -> None:
    recorder = Recorder(lambda r: error(429, "ApplicationThrottled", {"Retry-After": "120"}))
    async with make_client(recorder, MS365_MCP_MAX_RETRY_AFTER=10) as graph:
        with pytest.raises(GraphError) as caught:
            await graph.get_json("/me", token="t")
    assert recorder.sleeps == []
    assert caught.value.code == "ApplicationThrottled"
    assert caught.value.status == 429
    assert "120 seconds" in caught.value.message


async def test_non_idempotent_post_is_not_retried() -> None:
    recorder = Recorder(lambda r: error(429, "TooManyRequests", {"Retry-After": "1"}))
    async with make_client(recorder) as graph:
        with pytest.raises(GraphError):
            await graph.post_json("/me/sendMail", token="t", body={"message": {}})
    assert len(recorder.requests) == 1
    assert recorder.sleeps == []


async def test_idempotent_post_is_retried() -> None:
    answers = iter([error(503, "ServiceUnavailable"), httpx.Response(200, json={"ok": 1})])
    recorder = Recorder(lambda r: next(answers))
    async with make_client(recorder) as graph:
        assert await graph.post_json("/me/findMeetingTimes", token="t", body={}, idempotent=True) == {"ok": 1}
    assert len(recorder.sleeps) == 1 and 0.5 <= recorder.sleeps[0] <= 0.625


async def test_401_keeps_graph_code() -> None:
    recorder = Recorder(lambda r: error(401, "InvalidAuthenticationToken"))
    async with make_client(recorder) as graph:
        with pytest.raises(GraphError) as caught:
            await graph.get_json("/me", token="expired")
    assert (caught.value.code, caught.value.status) == ("InvalidAuthenticationToken", 401)
    assert "Refresh the token" in caught.value.message
    assert '"code":"InvalidAuthenticationToken"' in caught.value.to_text().splitlines()[0]


async def test_connection_failure_is_unavailable_after_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    recorder = Recorder(handler)
    async with make_client(recorder, GRAPH_MAX_RETRIES=1) as graph:
        with pytest.raises(GraphUnavailable) as caught:
            await graph.post_json("/me/sendMail", token="t", body={})
    assert len(recorder.requests) == 2
    assert caught.value.status is None
    assert "could not be reached" in caught.value.message


async def test_dropped_connection_on_post_is_not_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server disconnected", request=request)

    recorder = Recorder(handler)
    async with make_client(recorder) as graph:
        with pytest.raises(GraphUnavailable):
            await graph.post_json("/me/sendMail", token="t", body={})
    assert len(recorder.requests) == 1


async def test_timeout_is_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    recorder = Recorder(handler)
    async with make_client(recorder, GRAPH_TIMEOUT_SECONDS=3) as graph:
        with pytest.raises(GraphTimeout) as caught:
            await graph.get_json("/me", token="t")
    assert caught.value.code == "Timeout"
    assert "3 seconds" in caught.value.message


async def test_non_json_success_is_unavailable() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, text="<html>proxy</html>"))
    async with make_client(recorder) as graph:
        with pytest.raises(GraphUnavailable):
            await graph.get_json("/me", token="t")


async def test_collect_follows_next_links_up_to_the_limit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "0"))
        values = [{"id": f"{page}-{i}"} for i in range(3)]
        return httpx.Response(200, json={"value": values, "@odata.nextLink": f"{BASE}/me/items?page={page + 1}"})

    recorder = Recorder(handler)
    async with make_client(recorder) as graph:
        page = await graph.collect("/me/items", token="t", limit=7, max_pages=10)
    assert [item["id"] for item in page.items] == ["0-0", "0-1", "0-2", "1-0", "1-1", "1-2", "2-0"]
    assert page.has_more
    assert len(recorder.requests) == 3
    assert all(r.headers["authorization"] == "Bearer t" for r in recorder.requests)


async def test_collect_counts_dropped_items_and_stops_at_last_page() -> None:
    pages = {
        "/v1.0/me/items": {"value": [{"id": 1}, {"id": 2}], "@odata.nextLink": f"{BASE}/me/items2"},
        "/v1.0/me/items2": {"value": [{"id": 3}, {"id": 4}]},
    }
    recorder = Recorder(lambda r: httpx.Response(200, json=pages[r.url.path]))
    async with make_client(recorder) as graph:
        page = await graph.collect("/me/items", token="t", limit=10, max_pages=5, keep=lambda i: i["id"] % 2 == 0)
    assert [i["id"] for i in page.items] == [2, 4]
    assert (page.dropped, page.has_more) == (2, False)


async def test_collect_reports_more_when_page_cap_is_hit() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"value": [{"id": 1}], "@odata.nextLink": f"{BASE}/x"}))
    async with make_client(recorder) as graph:
        page = await graph.collect("/x", token="t", limit=10, max_pages=2)
    assert len(page.items) == 2 and page.has_more


async def test_next_link_on_another_host_is_rebased_onto_the_base_url() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"value": []}))
    async with make_client(recorder) as graph:
        assert graph.url_for("https://graph.microsoft.com/v1.0/me/messages?$skip=10") == (
            f"{BASE}/me/messages?$skip=10"
        )
        with pytest.raises(GraphUnavailable):
            graph.url_for("https://evil.example/steal")


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
