"""The whole demo tenant in memory, rebuilt from the seed on start and on reset."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from crm_app.sandbox.data.calendar_gen import generate_calendars
from crm_app.sandbox.data.files_gen import generate_drives, generate_sites
from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.data.mail_gen import generate_mailboxes
from crm_app.sandbox.data.teams_gen import generate_teams
from crm_app.sandbox.data.tenant import Tenant, User
from crm_app.sandbox.errors import NotFound
from crm_app.sandbox.links import Links
from crm_app.sandbox.store.calendar import Calendar
from crm_app.sandbox.store.drive import Drive, DriveRecord
from crm_app.sandbox.store.mailbox import Mailbox
from crm_app.sandbox.store.sites import Site
from crm_app.sandbox.store.teams import Team

RUNTIME_SEED_OFFSET = 1_000_003


@dataclass
class TenantData:
    """Mailboxes, calendars, drives (keyed by lower-case address), sites and teams."""

    now: datetime
    ids: IdFactory
    mailboxes: dict[str, Mailbox]
    calendars: dict[str, Calendar]
    drives: dict[str, Drive]
    sites: list[Site]
    teams: list[Team]


def build_tenant_data(tenant: Tenant, seed: int, messages: int, links: Links, now: datetime | None) -> TenantData:
    """Generate everything from ``seed``; ``now`` pins the clock the data is relative to."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    ids = IdFactory(rng)
    data = TenantData(
        now=moment,
        ids=ids,
        mailboxes=generate_mailboxes(tenant, ids, links, rng, moment, messages),
        calendars=generate_calendars(tenant, ids, links, rng, moment),
        drives=generate_drives(tenant, ids, links, rng, moment),
        sites=generate_sites(tenant, ids, links, rng, moment),
        teams=generate_teams(tenant, ids, links, rng, moment),
    )
    data.ids = IdFactory(random.Random(seed + RUNTIME_SEED_OFFSET))
    return data


class SandboxState:
    """The tenant, its generated data, and lookups the Graph handlers share."""

    def __init__(self, tenant: Tenant, seed: int, messages: int, links: Links, now: datetime | None) -> None:
        self.tenant = tenant
        self.seed = seed
        self.messages = messages
        self.links = links
        self.pinned_now = now
        self.data = build_tenant_data(tenant, seed, messages, links, now)

    def reset(self) -> None:
        self.data = build_tenant_data(self.tenant, self.seed, self.messages, self.links, self.pinned_now)

    @property
    def ids(self) -> IdFactory:
        return self.data.ids

    def now(self) -> datetime:
        """The current time: the pinned ``SANDBOX_NOW`` if set, else the wall clock."""
        return self.pinned_now or datetime.now(UTC).replace(microsecond=0)

    def mailbox(self, user: User) -> Mailbox:
        return self.data.mailboxes[user.mail.lower()]

    def calendar(self, user: User) -> Calendar:
        return self.data.calendars[user.mail.lower()]

    def drive(self, user: User) -> Drive:
        return self.data.drives[user.mail.lower()]

    def site(self, key: str) -> Site:
        lowered = key.lower()
        for site in self.data.sites:
            if site.id.lower() == lowered or site.name.lower() == lowered:
                return site
        raise NotFound(
            "The requested site was not found. Find sites with GET /sites?search=<name>.", code="itemNotFound"
        )

    def team(self, team_id: str) -> Team:
        for team in self.data.teams:
            if team.id == team_id:
                return team
        raise NotFound("The team was not found. List your teams with GET /me/joinedTeams.", code="NotFound")

    def find_drive_item(self, item_id: str) -> tuple[Drive, DriveRecord] | None:
        """The drive (OneDrive or site library) holding ``item_id``, for the viewer pages."""
        for drive in [*self.data.drives.values(), *(site.drive for site in self.data.sites)]:
            if item_id in drive.items:
                return drive, drive.items[item_id]
        return None
