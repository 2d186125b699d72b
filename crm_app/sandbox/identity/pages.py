"""The sign-in and consent page, the sign-in error page and the form_post hand-off page."""

from __future__ import annotations

from html import escape

from crm_app.sandbox.data.tenant import Tenant, User
from crm_app.sandbox.pages import page


def consent_page(*, tenant: Tenant, client_name: str, scopes: list[tuple[str, str]], action: str,
                 request_id: str, selected: str | None, error: str | None = None) -> str:
    """Pick a demo user, see what the app asks for, accept or decline."""
    scope_items = "".join(
        f"<li>{escape(description)} <span class=\"scope-name\">({escape(name)})</span></li>"
        for name, description in scopes
    )
    accounts = "".join(_account(user, selected) for user in tenant.users)
    notice = f"<p class=\"error\" role=\"alert\">{escape(error)}</p>" if error else ""
    body = (
        f"<span class=\"badge\">Demo tenant</span>"
        f"<h1>Sign in to {escape(tenant.name)}</h1>"
        f"<p class=\"muted\">This is the Microsoft 365 sandbox: pick a demo user, no password is needed.</p>"
        f"{notice}"
        f"<form method=\"post\" action=\"{escape(action)}\">"
        f"<input type=\"hidden\" name=\"request_id\" value=\"{escape(request_id)}\">"
        f"<h2>Choose an account</h2>{accounts}"
        f"<h2>{escape(client_name)} wants to:</h2><ul class=\"scopes\">{scope_items}</ul>"
        "<p class=\"muted\">Accepting lets the app use these permissions on your behalf. "
        "You can revoke access at any time.</p>"
        "<div class=\"actions\">"
        "<button type=\"submit\" class=\"primary\" id=\"consent-accept\" name=\"action\" value=\"accept\">Accept</button>"
        "<button type=\"submit\" id=\"consent-decline\" name=\"action\" value=\"decline\">Decline</button>"
        "</div></form>"
    )
    return page(f"Sign in - {tenant.name}", body)


def _account(user: User, selected: str | None) -> str:
    element_id = f"user-{user.local_part}"
    checked = " checked" if selected and selected.lower() == user.mail.lower() else ""
    return (
        f"<label class=\"account\" for=\"{escape(element_id)}\">"
        f"<input type=\"radio\" name=\"user\" id=\"{escape(element_id)}\" value=\"{escape(user.mail)}\"{checked}> "
        f"<strong>{escape(user.display_name)}</strong> <span class=\"muted\">{escape(user.mail)} - "
        f"{escape(user.job_title)}</span></label>"
    )


def error_page(*, tenant_name: str, code: int, title: str, message: str, advice: str) -> str:
    """A sign-in error that is not sent back to the app (bad client or redirect URI)."""
    body = (
        "<span class=\"badge\">Demo tenant</span>"
        f"<h1>{escape(title)}</h1>"
        f"<p class=\"error\" role=\"alert\">AADSTS{code}: {escape(message)}</p>"
        f"<p>{escape(advice)}</p>"
        f"<p class=\"muted\">{escape(tenant_name)} - Microsoft 365 sandbox</p>"
    )
    return page(title, body)


def form_post_page(redirect_uri: str, fields: dict[str, str], nonce: str) -> str:
    """``response_mode=form_post``: a form that posts the result to the app (submitted by script or button)."""
    inputs = "".join(
        f"<input type=\"hidden\" name=\"{escape(key)}\" value=\"{escape(value)}\">" for key, value in fields.items()
    )
    body = (
        f"<form method=\"post\" action=\"{escape(redirect_uri)}\">{inputs}"
        "<p>Returning to the application...</p><button type=\"submit\" class=\"primary\">Continue</button></form>"
        f"<script nonce=\"{escape(nonce)}\">document.forms[0].submit()</script>"
    )
    return page("Signing in", body)


def signed_out_page(tenant_name: str) -> str:
    body = (
        "<span class=\"badge\">Demo tenant</span><h1>You have signed out</h1>"
        f"<p>You have signed out of {escape(tenant_name)}. You can close this window.</p>"
    )
    return page("Signed out", body)
