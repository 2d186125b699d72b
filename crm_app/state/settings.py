"""Settings page state: profile and time zone."""

from __future__ import annotations

from zoneinfo import available_timezones

import reflex as rx

from crm_app.services import auth
from crm_app.services.errors import ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import SessionState, session_guard

COMMON_TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith(("Etc/", "SystemV/", "US/")))


class SettingsState(SessionState):
    timezones: list[str] = COMMON_TIMEZONES

    @rx.event
    @session_guard
    async def save_timezone(self, tz: str):
        user = await self._need_user()
        try:
            await off_loop(auth.update_timezone, user.id, tz)
        except ValidationFailed as exc:
            return rx.toast.error(exc.fields.get("timezone", str(exc)))
        self.user_timezone = tz
        return rx.toast.success(f"Time zone set to {tz}")
