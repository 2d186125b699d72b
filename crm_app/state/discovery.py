"""Settings → Integrations → Tool discovery: which tool of each server serves each capability."""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx

from crm_app.services import auth, discovery
from crm_app.services.errors import DatabaseUnavailable
from crm_app.state.integrations import SIGN_IN
from crm_app.state.offload import off_loop
from crm_app.state.session import SessionState

log = logging.getLogger(__name__)


@dataclasses.dataclass
class DiscoveryRow:
    label: str
    tool: str
    confidence: str
    note: str


@dataclasses.dataclass
class DiscoveryServerRow:
    name: str
    mapped: list[DiscoveryRow]
    unmapped: list[DiscoveryRow]
    unavailable: str


def discovery_rows(views: list[discovery.ServerDiscovery]) -> list[DiscoveryServerRow]:
    return [DiscoveryServerRow(
        v.server_name,
        [DiscoveryRow(m.label, m.tool, m.confidence, m.note) for m in v.mapped],
        [DiscoveryRow(u.label, "", "", u.reason) for u in v.unmapped],
        v.unavailable,
    ) for v in views]


class DiscoveryState(SessionState):
    """The report is built on request: it lists every server's tools, which takes a moment."""

    discovery: list[DiscoveryServerRow] = []
    discovery_loading: bool = False
    discovery_error: str = ""

    @rx.event(background=True)
    async def load_discovery(self):
        async with self:
            self.discovery_loading, self.discovery_error = True, ""
            session_token = self.session_token
        try:
            user = await off_loop(auth.resolve_session, session_token)
            if user is None:
                async with self:
                    self.discovery_loading = False
                return rx.redirect(SIGN_IN)
            views = await discovery.discovery_view(user.id)
        except DatabaseUnavailable as exc:
            async with self:
                self.discovery_loading, self.discovery_error = False, exc.user_message
            return None
        except Exception:
            log.exception("tool discovery report failed")
            async with self:
                self.discovery_loading = False
                self.discovery_error = ("The discovery report could not be built: a tool server did not answer as "
                                        "expected. Check the servers above, then try again.")
            return None
        async with self:
            self.discovery_loading = False
            self.discovery = discovery_rows(views)
        return None
