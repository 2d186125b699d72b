"""Entra ID v2 endpoints: OpenID configuration, keys, authorize (consent page), token, logout."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from crm_app.sandbox.context import PendingAuthorization, Sandbox
from crm_app.sandbox.errors import OAuthError
from crm_app.sandbox.identity.pages import (
    consent_page,
    error_page,
    form_post_page,
    signed_out_page,
)
from crm_app.sandbox.identity.scopes import ScopeRequest, parse_scopes
from crm_app.sandbox.identity.tokens import (
    GRANT_AUTHORIZATION_CODE,
    GRANT_REFRESH_TOKEN,
    Grant,
    TokenPair,
)
from crm_app.sandbox.pages import html_response, new_nonce

LOOPBACK_REDIRECT_HOSTS = frozenset({"localhost", "127.0.0.1"})
ANY_TENANT = frozenset({"common", "organizations"})
CHALLENGE_METHODS = frozenset({"S256", "plain"})
RESPONSE_MODES = frozenset({"query", "form_post"})


def sandbox_of(request: Request) -> Sandbox:
    return request.app.state.sandbox


def authority_base(request: Request) -> str:
    """The https authority msal is given; the host is the one this request came to."""
    return f"https://{request.headers.get('host', request.url.netloc)}"


def oauth_error_response(error: OAuthError) -> JSONResponse:
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return JSONResponse(
        {
            "error": error.error,
            "error_description": f"AADSTS{error.aadsts}: {error.description}\r\nTrace ID: {trace}\r\n"
                                 f"Correlation ID: {correlation}\r\nTimestamp: {stamp}",
            "error_codes": [error.aadsts],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
        },
        status_code=error.status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def check_tenant(sandbox: Sandbox, segment: str) -> None:
    if segment.lower() not in sandbox.tenant.aliases():
        raise OAuthError(
            "invalid_tenant", 90002,
            f"Tenant '{segment}' not found. Use the tenant id {sandbox.tenant.id}, the domain "
            f"{sandbox.tenant.domain}, 'organizations' or 'common' in the authority.",
        )


def redirect_allowed(sandbox: Sandbox, uri: str) -> bool:
    if uri in sandbox.settings.extra_redirect_uris:
        return True
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_REDIRECT_HOSTS and not parts.fragment


async def openid_configuration(request: Request) -> Response:
    sandbox = sandbox_of(request)
    segment = request.path_params["tenant"]
    try:
        check_tenant(sandbox, segment)
    except OAuthError as error:
        return oauth_error_response(error)
    base = authority_base(request)
    issuer_tenant = "{tenantid}" if segment.lower() in ANY_TENANT else sandbox.tenant.id
    browser = sandbox.settings.browser_url
    return JSONResponse({
        "token_endpoint": f"{base}/{segment}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "jwks_uri": f"{base}/{segment}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/{issuer_tenant}/v2.0",
        "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{browser}/{segment}/oauth2/v2.0/authorize",
        "end_session_endpoint": f"{browser}/{segment}/oauth2/v2.0/logout",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "code_challenge_methods_supported": ["S256", "plain"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username",
                             "email", "oid", "tid", "ver"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "sandbox.local",
    })


async def jwks(request: Request) -> Response:
    return JSONResponse(sandbox_of(request).keys.jwks())


def _error_page(sandbox: Sandbox, error: OAuthError, title: str, advice: str) -> Response:
    return html_response(
        error_page(tenant_name=sandbox.tenant.name, code=error.aadsts, title=title, message=error.description,
                   advice=advice),
        status=400,
    )


def _redirect(uri: str, params: dict[str, str | None], response_mode: str) -> Response:
    clean: dict[str, str] = {key: value for key, value in params.items() if value is not None}
    if response_mode == "form_post":
        nonce = new_nonce()
        return html_response(form_post_page(uri, clean, nonce), script_nonce=nonce)
    separator = "&" if urlsplit(uri).query else "?"
    return RedirectResponse(f"{uri}{separator}{urlencode(clean)}", status_code=302)


def _error_redirect(request: PendingAuthorization, error: OAuthError) -> Response:
    return _redirect(request.redirect_uri, {
        "error": error.error,
        "error_description": f"AADSTS{error.aadsts}: {error.description}",
        "state": request.state,
    }, request.response_mode)


async def authorize(request: Request) -> Response:
    sandbox = sandbox_of(request)
    if request.method == "POST":
        return await consent_decision(request)
    params = dict(request.query_params)
    try:
        check_tenant(sandbox, request.path_params["tenant"])
    except OAuthError as tenant_error:
        return _error_page(sandbox, tenant_error, "Tenant not found",
                           "Check the authority URL the app is configured with.")
    client_id = params.get("client_id", "")
    if client_id != sandbox.settings.client_id:
        error = OAuthError("unauthorized_client", 700016,
                           f"Application with identifier '{client_id}' was not found in the directory "
                           f"'{sandbox.tenant.name}'.")
        return _error_page(sandbox, error, "Unknown application",
                           f"Configure the app with the sandbox client id '{sandbox.settings.client_id}' "
                           "(SANDBOX_CLIENT_ID).")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_allowed(sandbox, redirect_uri):
        error = OAuthError("invalid_request", 50011,
                           f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect "
                           f"URIs configured for the application '{client_id}'.")
        return _error_page(sandbox, error, "Redirect URI not registered",
                           "Use an http://localhost or http://127.0.0.1 redirect URI, or add it to "
                           "SANDBOX_REDIRECT_URIS.")
    response_mode = params.get("response_mode") or "query"
    pending = PendingAuthorization(
        client_id=client_id, redirect_uri=redirect_uri, scope=params.get("scope", ""), state=params.get("state"),
        nonce=params.get("nonce"), code_challenge=params.get("code_challenge"),
        challenge_method=params.get("code_challenge_method"),
        response_mode=response_mode if response_mode in RESPONSE_MODES else "query",
        login_hint=params.get("login_hint"),
    )
    try:
        if response_mode not in RESPONSE_MODES:
            raise OAuthError("invalid_request", 900144,
                             f"response_mode '{response_mode}' is not supported; use 'query' or 'form_post'.")
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", 700054,
                             f"response_type '{params.get('response_type', '')}' is not enabled for the application; "
                             "use response_type=code.")
        scopes = parse_scopes(pending.scope)
        if pending.code_challenge and not pending.challenge_method:
            pending.challenge_method = "plain"
        if pending.challenge_method and (pending.challenge_method not in CHALLENGE_METHODS or not pending.code_challenge):
            raise OAuthError("invalid_request", 501491,
                             "Invalid code_challenge or code_challenge_method: send a code_challenge with "
                             "code_challenge_method S256 (or plain).")
        if params.get("prompt") == "none":
            raise OAuthError("login_required", 50058,
                             "A silent sign-in request was sent but no user is signed in. Send an interactive "
                             "request without prompt=none.")
    except OAuthError as error:
        return _error_redirect(pending, error)
    request_id = sandbox.remember(pending)
    return html_response(consent_page(
        tenant=sandbox.tenant, client_name=sandbox.settings.client_name, scopes=scopes.describe(),
        action=str(request.url.path), request_id=request_id, selected=pending.login_hint,
    ))


async def form_fields(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the last value wins for a repeated field)."""
    body = (await request.body()).decode("utf-8", "replace")
    return dict(parse_qsl(body, keep_blank_values=True))


async def consent_decision(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await form_fields(request)
    pending = sandbox.pending.get(form.get("request_id", ""))
    if pending is None:
        error = OAuthError("invalid_request", 90015,
                           "This sign-in request has expired or was already completed.")
        return _error_page(sandbox, error, "Sign-in request expired",
                           "Go back to the application and start connecting Microsoft 365 again.")
    action = form.get("action")
    if action == "decline":
        del sandbox.pending[form["request_id"]]
        return _error_redirect(pending, OAuthError(
            "access_denied", 65004, "User declined to consent to access the app."))
    user = sandbox.tenant.user_by_mail(form.get("user", ""))
    if action != "accept" or user is None:
        scopes = parse_scopes(pending.scope)
        return html_response(consent_page(
            tenant=sandbox.tenant, client_name=sandbox.settings.client_name, scopes=scopes.describe(),
            action=str(request.url.path), request_id=form["request_id"], selected=form.get("user"),
            error="Choose one of the demo accounts, then select Accept (or Decline to cancel).",
        ), status=400)
    del sandbox.pending[form["request_id"]]
    grant = Grant(user.mail.lower(), pending.client_id, parse_scopes(pending.scope))
    code = sandbox.tokens.new_code(grant, pending.redirect_uri, pending.code_challenge, pending.challenge_method,
                                   pending.nonce)
    return _redirect(pending.redirect_uri, {"code": code, "state": pending.state, "session_state": str(uuid.uuid4())},
                     pending.response_mode)


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", 7000215, "The Basic authorization header is malformed.", 401) from exc
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret")


def authenticate_client(sandbox: Sandbox, client_id: str, secret: str | None) -> None:
    if client_id != sandbox.settings.client_id:
        raise OAuthError("unauthorized_client", 700016,
                         f"Application with identifier '{client_id}' was not found in the directory "
                         f"'{sandbox.tenant.name}'. Use the sandbox client id.")
    if not secret:
        raise OAuthError("invalid_client", 7000218,
                         "The request body must contain the following parameter: 'client_assertion' or "
                         "'client_secret'.", 401)
    if not hmac.compare_digest(secret.encode(), sandbox.settings.client_secret.encode()):
        raise OAuthError("invalid_client", 7000215,
                         "Invalid client secret provided. Ensure the secret being sent in the request is the "
                         "client secret value, not the client secret ID (SANDBOX_CLIENT_SECRET).", 401)


def verify_pkce(challenge: str | None, method: str | None, verifier: str | None) -> None:
    if challenge is None:
        return
    if not verifier:
        raise OAuthError("invalid_grant", 50148,
                         "The code_verifier is missing: the authorization request used PKCE, so the token request "
                         "must send the matching code_verifier.")
    if method == "S256":
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    else:
        computed = verifier
    if not hmac.compare_digest(computed, challenge):
        raise OAuthError("invalid_grant", 501481,
                         "The Code_Verifier does not match the code_challenge supplied in the authorization request.")


async def token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    try:
        check_tenant(sandbox, request.path_params["tenant"])
        content_type = request.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" not in content_type:
            raise OAuthError("invalid_request", 900144,
                             "The token request body must be application/x-www-form-urlencoded.")
        form = await form_fields(request)
        client_id, secret = client_credentials(request, form)
        authenticate_client(sandbox, client_id, secret)
        grant_type = form.get("grant_type", "")
        if grant_type == GRANT_AUTHORIZATION_CODE:
            pair, nonce, auth_time = redeem_code(sandbox, form, client_id)
        elif grant_type == GRANT_REFRESH_TOKEN:
            pair, nonce, auth_time = refresh(sandbox, form, client_id)
        else:
            raise OAuthError("unsupported_grant_type", 70003,
                             f"The app requested an unsupported grant type '{grant_type}'. Use authorization_code "
                             "or refresh_token.")
    except OAuthError as error:
        return oauth_error_response(error)
    return token_response(request, sandbox, pair, nonce, auth_time, form.get("client_info") == "1")


def redeem_code(sandbox: Sandbox, form: dict[str, str], client_id: str) -> tuple[TokenPair, str | None, int]:
    code = form.get("code")
    if not code:
        raise OAuthError("invalid_request", 900144, "The request body must contain the following parameter: 'code'.")
    record = sandbox.tokens.redeem_code(code, client_id)
    if form.get("redirect_uri") != record.redirect_uri:
        raise OAuthError("invalid_grant", 50011,
                         f"The redirect URI '{form.get('redirect_uri', '')}' does not match the redirect URI used in "
                         f"the authorization request ('{record.redirect_uri}').")
    verify_pkce(record.code_challenge, record.challenge_method, form.get("code_verifier"))
    return sandbox.tokens.issue(record.grant, GRANT_AUTHORIZATION_CODE), record.nonce, record.auth_time


def refresh(sandbox: Sandbox, form: dict[str, str], client_id: str) -> tuple[TokenPair, str | None, int]:
    value = form.get("refresh_token")
    if not value:
        raise OAuthError("invalid_request", 900144,
                         "The request body must contain the following parameter: 'refresh_token'.")
    requested = parse_scopes(form["scope"]) if form.get("scope") else None
    record = sandbox.tokens.refresh.get(value)
    if requested is not None and record is not None:
        extra = [scope for scope in requested.graph if scope not in record.grant.scopes.graph]
        if extra:
            raise OAuthError("invalid_grant", 65001,
                             f"The user or administrator has not consented to use the application with ID "
                             f"'{client_id}' for {', '.join(extra)}. Send an interactive authorization request "
                             "for this user and resource.")
    used = sandbox.tokens.use_refresh_token(value, client_id)
    scopes = used.grant.scopes
    if requested is not None and requested.graph:
        scopes = ScopeRequest(scopes.oidc, requested.graph)
    pair = sandbox.tokens.issue(Grant(used.grant.user, client_id, scopes), GRANT_REFRESH_TOKEN)
    return pair, None, int(used.issued_at)


def token_response(request: Request, sandbox: Sandbox, pair: TokenPair, nonce: str | None, auth_time: int,
                   client_info: bool) -> Response:
    grant = pair.access.grant
    user = sandbox.tenant.user_by_mail(grant.user)
    assert user is not None
    lifetime = int(pair.access.expires_at - pair.access.issued_at)
    body: dict[str, object] = {
        "token_type": "Bearer",
        "scope": grant.scopes.granted(),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": pair.access.token,
    }
    if pair.refresh is not None:
        body["refresh_token"] = pair.refresh.token
    if "openid" in grant.scopes.oidc:
        body["id_token"] = sandbox.keys.id_token(
            issuer=f"{authority_base(request)}/{sandbox.tenant.id}/v2.0", client_id=grant.client_id,
            tenant_id=sandbox.tenant.id, user_id=user.id, name=user.display_name, username=user.mail, nonce=nonce,
            auth_time=auth_time, email="email" in grant.scopes.oidc,
        )
    if client_info:
        info = json.dumps({"uid": user.id, "utid": sandbox.tenant.id}).encode()
        body["client_info"] = base64.urlsafe_b64encode(info).decode().rstrip("=")
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def logout(request: Request) -> Response:
    sandbox = sandbox_of(request)
    target = request.query_params.get("post_logout_redirect_uri")
    if target and redirect_allowed(sandbox, target):
        return RedirectResponse(target, status_code=302)
    return html_response(signed_out_page(sandbox.tenant.name))


def routes() -> list[Route]:
    return [
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", jwks, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/authorize", authorize, methods=["GET", "POST"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        Route("/{tenant}/oauth2/v2.0/logout", logout, methods=["GET"]),
    ]
