"""Integration endpoints: Microsoft 365 OAuth and status, and the MCP servers' status.

All of them need the session cookie. JSON endpoints answer 401 JSON without it; the
OAuth callback, which a browser reaches straight from Microsoft, answers with a clear
HTML page instead, or redirects to Settings.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from crm_app.db import DatabaseUnavailable
from crm_app.microsoft import (
    ConfigurationError,
    ConsentDeclined,
    IdentityUnavailable,
    MicrosoftError,
    StateRejected,
)
from crm_app.microsoft.http import origin_of
from crm_app.services import integrations
from crm_app.services.auth import SignedInUser
from crm_app.services.errors import ServiceError
from crm_app.settings import get_settings

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}
MAX_REASON_CHARS = 400
Handler = Callable[[Request, SignedInUser], Awaitable[Response]]


def _error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=NO_STORE)


def _settings_url(**params: str) -> str:
    return f"{get_settings().app_url.rstrip('/')}/settings?{urlencode(params)}"


def _trusted_origin(request: Request) -> bool:
    """A state-changing request must come from the app itself (or carry no Origin, as non-browser clients)."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    settings = get_settings()
    return origin_of(origin) in {origin_of(settings.app_url), origin_of(settings.backend_url)}


def authenticated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Resolve the session (401 JSON without one), refuse foreign origins, map errors to JSON."""
    from crm_app.api import session_user, unauthorized

    async def endpoint(request: Request) -> Response:
        if request.method not in ("GET", "HEAD") and not _trusted_origin(request):
            return _error("forbidden_origin", "This request came from another site and was refused.", 403)
        try:
            user = session_user(request)
            if user is None:
                return unauthorized()
            return await handler(request, user)
        except DatabaseUnavailable as exc:
            return _error("database_unavailable", exc.user_message, 503)
        except IdentityUnavailable as exc:
            return _error(exc.code, exc.message, 503)
        except MicrosoftError as exc:
            return _error(exc.code, exc.message, 400)
        except ServiceError as exc:
            return _error("integration_error", str(exc), 400)

    endpoint.__name__ = handler.__name__
    return endpoint


# ---- JSON endpoints


async def ms365_auth(request: Request, user: SignedInUser) -> Response:
    """Start connecting: the consent URL to send the browser to."""
    auth_url = await integrations.begin_connect(user)
    return JSONResponse({"auth_url": auth_url}, headers=NO_STORE)


async def ms365_status(request: Request, user: SignedInUser) -> Response:
    live = request.query_params.get("live", "1") not in ("0", "false", "no")
    view = await integrations.ms365_view(user.id, live=live)
    return JSONResponse(view.to_json(), headers=NO_STORE)


async def ms365_test(request: Request, user: SignedInUser) -> Response:
    result = await integrations.test_ms365(user.id)
    status = result.view.to_json() if isinstance(result.view, integrations.Ms365View) else None
    return JSONResponse({"ok": result.ok, "message": result.message, "status": status}, headers=NO_STORE)


async def ms365_disconnect(request: Request, user: SignedInUser) -> Response:
    removed = await integrations.disconnect_ms365(user.id)
    return JSONResponse({"disconnected": removed}, headers=NO_STORE)


async def mcp_status(request: Request, user: SignedInUser) -> Response:
    return JSONResponse(await integrations.mcp_status(user.id), headers=NO_STORE)


# ---- the OAuth callback (a browser page)


async def ms365_callback(request: Request) -> Response:
    """Microsoft's redirect back: connect and return to Settings, or explain on a page why not."""
    from crm_app.api import session_user

    try:
        user = session_user(request)
    except DatabaseUnavailable as exc:
        return _page(503, "Microsoft 365 was not connected", exc.user_message)
    if user is None:
        return _page(401, "Sign in first",
                     "This answer from Microsoft reached the app without a signed-in session, so it was not "
                     "used and nothing was changed. Sign in, then connect Microsoft 365 from Settings again.",
                     link=(f"{get_settings().app_url.rstrip('/')}/signin?next=/settings", "Sign in"))
    try:
        await integrations.finish_connect(user, dict(request.query_params))
    except ConsentDeclined as exc:
        return RedirectResponse(_settings_url(ms365="declined", reason=exc.message[:MAX_REASON_CHARS]),
                                status_code=303, headers=NO_STORE)
    except StateRejected as exc:
        log.warning("refused an OAuth callback for user %s: %s state", user.id, exc.reason)
        return _page(400, "This sign-in answer was refused", exc.message)
    except IdentityUnavailable as exc:
        return _page(503, "Microsoft 365 was not connected", exc.message)
    except ConfigurationError as exc:
        return _page(500, "Microsoft 365 is not set up correctly", exc.message)
    except MicrosoftError as exc:
        return _page(400, "Microsoft 365 was not connected", exc.message)
    except DatabaseUnavailable as exc:
        return _page(503, "Microsoft 365 was not connected", exc.user_message)
    return RedirectResponse(_settings_url(ms365="connected"), status_code=303, headers=NO_STORE)


PAGE_STYLE = """
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",sans-serif}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
background:Canvas;color:CanvasText}
main{max-width:32rem;margin:1rem;padding:2rem;border:1px solid color-mix(in srgb,CanvasText 15%,transparent);
border-radius:12px;box-shadow:0 8px 24px color-mix(in srgb,CanvasText 8%,transparent)}
h1{font-size:1.35rem;margin:0 0 .75rem}p{line-height:1.5}
.brand{font-weight:700;letter-spacing:.02em;opacity:.7;margin-bottom:1rem}
a.button{display:inline-block;margin-top:.5rem;padding:.55rem 1rem;border-radius:8px;
background:#3e63dd;color:#fff;text-decoration:none;font-weight:600}
"""


def _page(status: int, title: str, message: str, *, link: tuple[str, str] | None = None) -> HTMLResponse:
    href, label = link or (_settings_url(), "Back to Settings")
    html = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)} · crm_app</title><style>{PAGE_STYLE}</style></head><body><main>"
        "<div class=\"brand\">crm_app</div>"
        f"<h1 id=\"callback-title\">{escape(title)}</h1>"
        f"<p id=\"callback-message\">{escape(message)}</p>"
        f"<a class=\"button\" id=\"callback-back\" href=\"{escape(href)}\">{escape(label)}</a>"
        "</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def routes() -> list[Route]:
    return [
        Route("/api/v1/integrations/ms365/auth", authenticated(ms365_auth), methods=["GET"]),
        Route("/api/v1/integrations/ms365/callback", ms365_callback, methods=["GET"]),
        Route("/api/v1/integrations/ms365/status", authenticated(ms365_status), methods=["GET"]),
        Route("/api/v1/integrations/ms365/test", authenticated(ms365_test), methods=["POST"]),
        Route("/api/v1/integrations/ms365", authenticated(ms365_disconnect), methods=["DELETE"]),
        Route("/api/v1/mcp/status", authenticated(mcp_status), methods=["GET"]),
    ]
