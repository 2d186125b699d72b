"""Settings → Integrations: the Microsoft 365 card and further MCP servers, with live status.

Only what the panel shows lives here: account, dates, scopes, tool names and states.
Tokens and header values never reach this state. While the panel is on screen a
background task re-checks the servers every ``POLL_SECONDS``; it stops when the panel
unmounts, when the browser tab goes away, or after ``MAX_POLL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from crm_app.services import auth, integrations
from crm_app.services.errors import DatabaseUnavailable, MicrosoftError, NotFound, ServiceError, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import NotSignedIn, SessionState

log = logging.getLogger(__name__)

POLL_SECONDS = 3.0
MAX_POLL_SECONDS = 60 * 60
STATUS_LOADING = "loading"
SIGN_IN = "/signin?next=/settings"
FAILURES = (NotSignedIn, DatabaseUnavailable, NotFound, ServiceError, MicrosoftError)


@dataclasses.dataclass
class ToolRow:
    name: str
    title: str
    access: str
    description: str


@dataclasses.dataclass
class ToolGroup:
    label: str
    tools: list[ToolRow]


@dataclasses.dataclass
class ServerRow:
    number: int
    name: str
    url: str
    header: str
    enabled: bool
    status: str
    tool_count: int
    tools: str
    error: str


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def when(value: dt.datetime | None, tz: str) -> str:
    """A date and time in the user's time zone, e.g. ``24 Nov 2026, 14:05``."""
    if value is None:
        return ""
    local = value.astimezone(_zone(tz))
    return f"{local.day} {local:%b %Y, %H:%M}"


def expiry_label(value: dt.datetime | None, tz: str, now: dt.datetime | None = None) -> str:
    """When the access token expires, relative and absolute (it is renewed before then)."""
    if value is None:
        return ""
    remaining = value - (now or dt.datetime.now(dt.UTC))
    clock = value.astimezone(_zone(tz)).strftime("%H:%M")
    if remaining.total_seconds() <= 0:
        return f"expired at {clock}; renewed on next use"
    minutes = int(remaining.total_seconds() // 60)
    if minutes < 1:
        return f"in under a minute ({clock})"
    if minutes < 120:
        return f"in {minutes} min ({clock})"
    return f"in {minutes // 60} h ({when(value, tz)})"


def tool_groups(tools: tuple[integrations.ToolView, ...]) -> list[ToolGroup]:
    groups: list[ToolGroup] = []
    for tool in tools:
        if not groups or groups[-1].label != tool.area_label:
            groups.append(ToolGroup(label=tool.area_label, tools=[]))
        groups[-1].tools.append(ToolRow(tool.name, tool.title, "read" if tool.read_only else "write",
                                        tool.description[:300]))
    return groups


def server_row(view: integrations.CustomServerView) -> ServerRow:
    server = view.server
    if not view.enabled:
        status = "disabled"
    elif server is None:
        status = integrations.STATUS_UNCHECKED
    else:
        status = server.state
    return ServerRow(
        number=view.number,
        name=view.name,
        url=view.url,
        header=view.header_name or "",
        enabled=view.enabled,
        status=status,
        tool_count=len(server.tools) if server else 0,
        tools=", ".join(tool.name for tool in server.tools) if server else "",
        error=(server.last_error or "") if server and status != integrations.STATUS_CONNECTED else "",
    )


async def _user_id_of(session_token: str) -> int:
    user = await off_loop(auth.resolve_session, session_token)
    if user is None:
        raise NotSignedIn()
    return user.id


def _client_connected(token: str) -> bool:
    """Whether the browser tab with this client token still has its websocket open."""
    try:
        from reflex_base.registry import RegistrationContext

        namespace = RegistrationContext.get().app.event_namespace
    except (LookupError, AttributeError, RuntimeError):  # no app context: poll until the time limit
        return True
    return namespace is None or token in namespace.token_to_sid


class IntegrationsState(SessionState):
    """The Integrations panel of Settings."""

    ms365_status: str = STATUS_LOADING
    ms365_account_name: str = ""
    ms365_account_email: str = ""
    ms365_since: str = ""
    ms365_expires: str = ""
    ms365_scopes: list[str] = []
    ms365_requested: list[str] = []
    ms365_error: str = ""
    ms365_groups: list[ToolGroup] = []
    ms365_tool_count: int = 0
    ms365_latency: str = ""
    ms365_checked: str = ""
    demo_tenant: bool = True
    mcp_enabled: bool = True

    notice: str = ""
    notice_kind: str = "success"
    connecting: bool = False
    testing: bool = False
    disconnect_open: bool = False

    servers: list[ServerRow] = []
    server_errors: dict[str, str] = {}
    server_form_version: int = 0
    server_busy: int = 0
    remove_number: int = 0
    remove_name: str = ""

    polling: bool = False
    _poll_id: int = 0

    # ---- loading and the live poll

    def _apply_ms365(self, view: integrations.Ms365View) -> None:
        conn = view.connection
        tz = self.user_timezone
        self.ms365_status = view.status
        self.demo_tenant = view.demo_tenant
        self.mcp_enabled = view.mcp_enabled
        self.ms365_requested = list(view.requested_scopes)
        self.ms365_account_name = (conn.account_name or "") if conn else ""
        self.ms365_account_email = (conn.account_email or "") if conn else ""
        self.ms365_since = when(conn.connected_at, tz) if conn else ""
        self.ms365_expires = expiry_label(conn.token_expires_at, tz) if conn else ""
        self.ms365_scopes = list(conn.scopes) if conn else []
        self.ms365_error = (view.last_error or "") if view.status != integrations.STATUS_CONNECTED else ""
        if view.status != integrations.STATUS_CONNECTED and self.notice_kind == "success":
            self.notice = ""  # "connected" no longer holds: the status and its own message say what does
        server = view.server
        if server is not None:
            self.ms365_groups = tool_groups(server.tools)
            self.ms365_tool_count = len(server.tools)
            self.ms365_latency = f"{server.latency_ms:.0f} ms" if server.latency_ms is not None else ""
            self.ms365_checked = when(server.checked_at, tz)
        elif view.status != integrations.STATUS_CONNECTED or not view.mcp_enabled:
            self.ms365_groups, self.ms365_tool_count, self.ms365_latency = [], 0, ""

    async def _user_id(self) -> int:
        return await _user_id_of(self.session_token)

    async def _refresh(self, user_id: int, *, live: bool) -> None:
        view = await integrations.ms365_view(user_id, live=live)
        self._apply_ms365(view)
        self.servers = [server_row(v) for v in await integrations.list_custom_servers(user_id, live=live)]

    def _read_notice(self) -> None:
        params = self.router.url.query_parameters
        outcome = params.get("ms365", "")
        if outcome == "connected":
            self.notice, self.notice_kind = "Microsoft 365 is connected.", "success"
        elif outcome == "declined":
            reason = params.get("reason", "") or "The permission request was declined."
            self.notice, self.notice_kind = reason[:400], "error"

    @rx.event
    async def open_panel(self):
        """The panel appeared: show the stored state at once, then start the live checks."""
        self._read_notice()
        try:
            user_id = await self._user_id()
            await self._refresh(user_id, live=False)
        except NotSignedIn:
            return rx.redirect(SIGN_IN)
        except DatabaseUnavailable as exc:
            self.page_error = exc.user_message
            return None
        self._poll_id += 1
        self.polling = True
        return IntegrationsState.poll(self._poll_id)

    @rx.event
    def close_panel(self):
        """The panel left the screen: the live checks stop."""
        self.polling = False
        self._poll_id += 1

    @rx.event
    def dismiss_notice(self):
        self.notice = ""

    @rx.event(background=True)
    async def poll(self, poll_id: int):
        """Re-check the servers every ``POLL_SECONDS`` while this panel is open."""
        started = time.monotonic()
        while time.monotonic() - started < MAX_POLL_SECONDS:
            async with self:
                if not self.polling or self._poll_id != poll_id:
                    return
                token = self.router.session.client_token
                session_token = self.session_token
            if not _client_connected(token):
                return
            try:
                user = await off_loop(auth.resolve_session, session_token)
                if user is None:
                    return
                view = await integrations.ms365_view(user.id, live=True)
                customs = await integrations.list_custom_servers(user.id, live=True)
            except DatabaseUnavailable as exc:
                async with self:
                    self.page_error = exc.user_message
            except Exception:
                log.exception("live integration status check failed")
            else:
                async with self:
                    if not self.polling or self._poll_id != poll_id:
                        return
                    self.page_error = ""
                    self._apply_ms365(view)
                    self.servers = [server_row(v) for v in customs]
            await asyncio.sleep(POLL_SECONDS)

    # ---- actions

    def _failed(self, exc: Exception):
        """The answer to an action that failed: back to sign-in, or a message saying what happened."""
        self.connecting = self.testing = False
        self.server_busy = 0
        if isinstance(exc, NotSignedIn):
            return rx.redirect(SIGN_IN)
        message = exc.user_message if isinstance(exc, DatabaseUnavailable) else str(exc)
        return rx.toast.error(message)

    @staticmethod
    def _result(result: integrations.TestResult):
        return rx.toast.success(result.message) if result.ok else rx.toast.error(result.message)

    # ---- Microsoft 365

    @rx.event
    async def connect(self):
        """Start the OAuth authorization: off to Microsoft's consent page."""
        self.notice = ""
        try:
            user = await self._need_user()
            self.connecting = True
            yield
            auth_url = await integrations.begin_connect(user)
        except (MicrosoftError, ServiceError) as exc:
            self.connecting = False
            self.notice, self.notice_kind = str(exc), "error"
            return
        except FAILURES as exc:
            yield self._failed(exc)
            return
        yield rx.redirect(auth_url)

    @rx.event(background=True)
    async def test_ms365(self):
        """Check Microsoft 365 now. A background event: the tab stays responsive while the server is asked."""
        async with self:
            self.testing = True
            session_token = self.session_token
        try:
            result = await integrations.test_ms365(await _user_id_of(session_token))
        except FAILURES as exc:
            async with self:
                return self._failed(exc)
        async with self:
            self.testing = False
            if isinstance(result.view, integrations.Ms365View):
                self._apply_ms365(result.view)
        return self._result(result)

    @rx.event
    def ask_disconnect(self):
        self.disconnect_open = True

    @rx.event
    def set_disconnect_open(self, value: bool):
        self.disconnect_open = value

    @rx.event
    async def disconnect(self):
        self.disconnect_open = False
        try:
            user_id = await self._user_id()
            await integrations.disconnect_ms365(user_id)
            self._apply_ms365(await integrations.ms365_view(user_id, live=False))
        except FAILURES as exc:
            return self._failed(exc)
        self.ms365_groups, self.ms365_tool_count = [], 0
        self.notice = ""
        return rx.toast.success("Microsoft 365 is disconnected and its tokens are deleted. Your CRM data is unchanged.")

    # ---- further MCP servers

    async def _reload_servers(self, user_id: int) -> None:
        self.servers = [server_row(v) for v in await integrations.list_custom_servers(user_id, live=False)]

    @rx.event
    async def add_server(self, form: dict):
        self.server_errors = {}
        try:
            user_id = await self._user_id()
            view = await integrations.add_custom_server(
                user_id,
                name=str(form.get("name", "")),
                url=str(form.get("url", "")),
                header_name=str(form.get("header_name", "")),
                header_value=str(form.get("header_value", "")),
            )
            await self._reload_servers(user_id)
        except ValidationFailed as exc:
            self.server_errors = exc.fields
            return None
        except FAILURES as exc:
            return self._failed(exc)
        self.server_form_version += 1
        return [rx.toast.success(f"Added {view.name}. Checking it now…"), IntegrationsState.test_server(view.number)]

    @rx.event
    async def toggle_server(self, number: int, enabled: bool):
        try:
            user_id = await self._user_id()
            await integrations.set_custom_server_enabled(user_id, int(number), bool(enabled))
            await self._reload_servers(user_id)
        except FAILURES as exc:
            return self._failed(exc)
        return None

    @rx.event(background=True)
    async def test_server(self, number: int):
        """Check one added server now, as a background event like `test_ms365`."""
        async with self:
            self.server_busy = int(number)
            session_token = self.session_token
        try:
            result = await integrations.test_custom_server(await _user_id_of(session_token), int(number))
        except FAILURES as exc:
            async with self:
                return self._failed(exc)
        async with self:
            self.server_busy = 0
            if isinstance(result.view, integrations.CustomServerView):
                row = server_row(result.view)
                self.servers = [row if s.number == row.number else s for s in self.servers]
        return self._result(result)

    @rx.event
    def ask_remove(self, number: int, name: str):
        self.remove_number, self.remove_name = int(number), name

    @rx.event
    def set_remove_open(self, value: bool):
        if not value:
            self.remove_number = 0

    @rx.event
    async def remove_server(self):
        number, name = self.remove_number, self.remove_name
        self.remove_number = 0
        try:
            user_id = await self._user_id()
            await integrations.remove_custom_server(user_id, number)
            await self._reload_servers(user_id)
        except FAILURES as exc:
            return self._failed(exc)
        return rx.toast.success(f"Removed {name}.")
