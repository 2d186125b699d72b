"""The home page: the overview from the CRM at once, then Microsoft 365's part as a background event."""

from __future__ import annotations

import reflex as rx

from crm_app.services import auth, home
from crm_app.services.errors import DatabaseUnavailable
from crm_app.state.offload import off_loop
from crm_app.state.session import SessionState


class HomeState(SessionState):
    pipeline: list[dict[str, str]] = []
    pipeline_total: str = ""
    activity: list[dict[str, str]] = []
    meetings: list[dict[str, str]] = []
    ms365: str = "loading"  # loading | connected | not_connected | failed
    unread: str = ""
    ms365_problem: str = ""

    @rx.event
    async def load(self):
        user, redirect = await self._admit_page()
        if user is None:
            return redirect
        try:
            found = await off_loop(home.overview)
        except DatabaseUnavailable as exc:
            self.page_error = exc.user_message
            return None
        self.pipeline, self.pipeline_total, self.activity = found.pipeline, found.pipeline_total, found.activity
        self.ms365, self.meetings, self.unread, self.ms365_problem = "loading", [], "", ""
        return HomeState.load_ms365

    @rx.event(background=True)
    async def load_ms365(self):
        async with self:
            token = self.session_token
        user = await off_loop(auth.resolve_session, token)
        if user is None:
            return
        today = await home.ms365_today(user.id, user.timezone)
        async with self:
            if not today.connected:
                self.ms365 = "not_connected"
                return
            self.meetings = today.meetings
            self.unread = "" if today.unread is None else str(today.unread)
            self.ms365_problem = today.problem
            self.ms365 = "failed" if today.problem and not today.meetings and today.unread is None else "connected"
