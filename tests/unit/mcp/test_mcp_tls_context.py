"""Every MCP session's HTTP client uses the one TLS context built for the process."""

from __future__ import annotations

import asyncio


def test_session_clients_share_one_tls_context() -> None:
    import httpx2

    from crm_app.mcp.session import default_http_client, tls_context

    async def build() -> tuple[object, object]:
        first = default_http_client({}, httpx2.BasicAuth("a", "b"), 5.0)
        second = default_http_client({}, httpx2.BasicAuth("a", "b"), 5.0)
        try:
            return (first._transport._pool._ssl_context, second._transport._pool._ssl_context)
        finally:
            await first.aclose()
            await second.aclose()

    one, two = asyncio.run(build())
    assert one is two is tls_context()
    assert tls_context().verify_mode.name == "CERT_REQUIRED" and tls_context().check_hostname
