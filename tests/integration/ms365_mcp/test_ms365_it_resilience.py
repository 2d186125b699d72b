"""Throttling, outages, timeouts, bad tokens, concurrent users and log hygiene, over real HTTP."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

from tests.integration.ms365_mcp.harness import AVERY, JORDAN, Mcp, Sandbox, tool_error

FOLDERS = "/v1.0/me/mailFolders"


async def test_429_burst_is_retried_after_retry_after(mcp: Mcp, faults: Sandbox, avery: str) -> None:
    faults.fault(status=429, burst=2, retry_after=1, path_prefix=FOLDERS)
    throttled_before = faults.stats()["throttled"]
    started = time.monotonic()
    data = await mcp.data(avery, "outlook_list_folders")
    assert data["count"] > 0
    assert faults.stats()["throttled"] - throttled_before == 2
    assert time.monotonic() - started >= 2.0


async def test_throttling_that_outlasts_the_retries_is_reported(mcp: Mcp, faults: Sandbox, avery: str) -> None:
    faults.fault(status=429, burst=20, retry_after=1, path_prefix=FOLDERS)
    error = tool_error(await mcp.call(avery, "outlook_list_folders"))
    assert (error["code"], error["status"]) == ("TooManyRequests", 429)
    assert "try again" in error["message"].lower()


async def test_retry_after_beyond_the_cap_is_not_waited_for(mcp: Mcp, faults: Sandbox, avery: str) -> None:
    faults.fault(status=429, burst=5, retry_after=60, path_prefix=FOLDERS)
    started = time.monotonic()
    error = tool_error(await mcp.call(avery, "outlook_list_folders"))
    assert error["status"] == 429 and "60 seconds" in error["message"]
    assert time.monotonic() - started < 1.5


async def test_sending_is_never_retried(mcp: Mcp, faults: Sandbox, avery: str) -> None:
    subject = f"Throttled {uuid.uuid4().hex[:8]}"
    faults.fault(status=429, burst=1, retry_after=1, path_prefix="/v1.0/me/sendMail")
    error = tool_error(await mcp.call(avery, "outlook_send_email",
                                      {"to": [JORDAN], "subject": subject, "body": "once"}))
    assert error["status"] == 429
    assert not any(m["subject"] == subject for m in faults.admin("GET", "outbound")["messages"])


async def test_service_unavailable_is_a_clear_error_not_an_empty_result(
    mcp: Mcp, faults: Sandbox, avery: str
) -> None:
    faults.fault(status=503, burst=20, retry_after=1, path_prefix="/v1.0/me/messages")
    result = await mcp.call(avery, "outlook_search_emails", {"sender": "john.smith@acme.example"})
    error = tool_error(result)
    assert (error["code"], error["status"]) == ("GraphUnavailable", 503)
    assert result.structured_content is None


async def test_dropped_connection_is_retried_for_reads(mcp: Mcp, faults: Sandbox, avery: str) -> None:
    faults.fault(drop=True, burst=1, path_prefix=FOLDERS)
    data = await mcp.data(avery, "outlook_list_folders")
    assert data["count"] > 0
    assert faults.stats()["dropped_connections"] >= 1


async def test_slow_graph_times_out(mcp: Mcp, faults: Sandbox, avery: str) -> None:
    faults.fault(latency_ms=4000, burst=1, path_prefix=FOLDERS)
    started = time.monotonic()
    error = tool_error(await mcp.call(avery, "outlook_list_folders"))
    assert (error["code"], error["status"]) == ("Timeout", None)
    assert time.monotonic() - started < 3.9


async def test_graph_down(mcp_without_graph: Mcp, avery: str) -> None:
    result = await mcp_without_graph.call(avery, "teams_list_teams")
    error = tool_error(result)
    assert (error["code"], error["status"]) == ("GraphUnavailable", None)
    assert "could not be reached" in error["message"]


async def test_expired_revoked_and_missing_tokens(mcp: Mcp, sandbox: Sandbox) -> None:
    short = sandbox.token(AVERY, lifetime=1)
    await asyncio.sleep(1.5)
    expired = tool_error(await mcp.call(short, "outlook_list_folders"))
    assert (expired["code"], expired["status"]) == ("InvalidAuthenticationToken", 401)
    assert "Refresh the token" in expired["message"]

    jordan = sandbox.token(JORDAN)
    await mcp.data(jordan, "outlook_list_folders")
    sandbox.admin("POST", "revoke", {"user": JORDAN})
    revoked = tool_error(await mcp.call(jordan, "outlook_list_folders"))
    assert (revoked["code"], revoked["status"]) == ("InvalidAuthenticationToken", 401)

    missing = tool_error(await mcp.call(None, "outlook_list_folders"))
    assert (missing["code"], missing["status"]) == ("InvalidAuthenticationToken", 401)


async def test_missing_permission_is_access_denied(mcp: Mcp, sandbox: Sandbox) -> None:
    token = sandbox.token(AVERY, scopes=["User.Read"])
    error = tool_error(await mcp.call(token, "outlook_list_folders"))
    assert (error["code"], error["status"]) == ("ErrorAccessDenied", 403)
    assert "permission" in error["message"]


async def test_concurrent_users_never_share_a_token(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    jordan = sandbox.token(JORDAN)

    async def sent_by(token: str, calls: int) -> set[str]:
        async with mcp.session(token) as session:
            results = await asyncio.gather(*(
                session.call_tool("outlook_search_emails", {"folder": "sentitems", "top": 5}) for _ in range(calls)
            ))
        senders: set[str] = set()
        for result in results:
            assert not result.is_error, result.content[0].text
            senders |= {e["from"]["address"] for e in result.structured_content["emails"]}
        return senders

    mine, theirs = await asyncio.gather(sent_by(avery, 6), sent_by(jordan, 6))
    assert mine == {AVERY}
    assert theirs == {JORDAN}


async def test_logs_never_contain_a_token(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    await mcp.data(avery, "outlook_list_folders")
    await mcp.call("not-a-valid-token", "outlook_list_folders")
    await mcp.call(None, "outlook_list_folders")
    log = mcp.process.read_log()
    assert "tool outlook_list_folders ok" in log and "InvalidAuthenticationToken" in log
    issued = sandbox.admin("GET", "issued-tokens")["tokens"]
    secrets = {avery, "not-a-valid-token"} | {t.get("token", "") for t in issued if t.get("token")}
    for secret in filter(None, secrets):
        assert secret not in log
    assert not re.search(r"(?i)bearer\s+(?!\[REDACTED\])\S", log)
