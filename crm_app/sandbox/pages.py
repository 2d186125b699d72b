"""HTML pages the sandbox serves to browsers: one shell, inline CSS, everything escaped."""

from __future__ import annotations

import secrets
from html import escape

from starlette.responses import HTMLResponse

STYLE = """
body{font-family:"Segoe UI",Arial,sans-serif;background:#f3f2f1;color:#201f1e;margin:0}
main{max-width:640px;margin:40px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:22px;font-weight:600;margin:0 0 8px}h2{font-size:16px;margin:24px 0 8px}
.badge{display:inline-block;background:#0078d4;color:#fff;font-size:12px;padding:2px 8px;border-radius:2px}
.muted{color:#605e5c;font-size:13px}.error{background:#fde7e9;border-left:4px solid #a4262c;padding:8px 12px}
ul.scopes{padding-left:20px}ul.scopes li{margin:4px 0}.scope-name{color:#605e5c;font-size:12px}
label.account{display:block;border:1px solid #c8c6c4;padding:10px 12px;margin:6px 0;cursor:pointer}
label.account:hover{background:#f3f2f1}.actions{margin-top:24px;display:flex;gap:12px}
button{font-size:15px;padding:8px 20px;border:1px solid #8a8886;background:#fff;cursor:pointer}
button.primary{background:#0078d4;border-color:#0078d4;color:#fff}
pre{white-space:pre-wrap;word-wrap:break-word;background:#faf9f8;border:1px solid #edebe9;padding:12px;font-family:inherit}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #edebe9;font-size:14px}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


def page(title: str, body: str) -> str:
    """A complete HTML document; ``body`` must already be escaped markup."""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def html_response(content: str, status: int = 200, *, script_nonce: str | None = None) -> HTMLResponse:
    """An HTML response whose Content-Security-Policy lets no script run (unless given a nonce)."""
    policy = CSP + (f"; script-src 'nonce-{script_nonce}'" if script_nonce else "")
    return HTMLResponse(
        content,
        status_code=status,
        headers={
            "Content-Security-Policy": policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
