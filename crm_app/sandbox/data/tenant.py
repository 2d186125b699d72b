"""The demo tenant as read from ``crm_app/demo_data/tenant.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from crm_app.sandbox.errors import ConfigurationError

MAIN_MAILBOX = "main"


@dataclass(frozen=True)
class Person:
    """Someone who sends or receives mail: a name and an address."""

    name: str
    address: str

    def recipient(self) -> dict[str, dict[str, str]]:
        return {"emailAddress": {"name": self.name, "address": self.address}}


@dataclass(frozen=True)
class User:
    """A member of the demo tenant."""

    id: str
    display_name: str
    mail: str
    job_title: str
    mailbox: str
    time_zone: str

    @property
    def given_name(self) -> str:
        return self.display_name.split(" ", 1)[0]

    @property
    def surname(self) -> str:
        return self.display_name.split(" ", 1)[-1]

    @property
    def local_part(self) -> str:
        return self.mail.split("@", 1)[0]

    @property
    def person(self) -> Person:
        return Person(self.display_name, self.mail)


@dataclass(frozen=True)
class Group:
    """A mail-enabled group such as "Finance team"."""

    id: str
    display_name: str
    mail: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Contact:
    """A CRM contact, who also writes to the main mailbox."""

    first_name: str
    last_name: str
    emails: tuple[str, ...]
    title: str
    company: str
    phone: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def person(self) -> Person:
        return Person(self.name, self.emails[0])


@dataclass(frozen=True)
class Deal:
    title: str
    company: str
    contact: str
    amount: str
    currency: str
    stage: str
    close_in_days: int


@dataclass(frozen=True)
class Tenant:
    """Everything in the demo data file the sandbox uses."""

    id: str
    name: str
    domain: str
    users: tuple[User, ...]
    groups: tuple[Group, ...]
    companies: tuple[dict[str, str], ...]
    contacts: tuple[Contact, ...]
    deals: tuple[Deal, ...]
    external_senders: tuple[Person, ...]

    @property
    def main_user(self) -> User:
        return next(user for user in self.users if user.mailbox == MAIN_MAILBOX)

    def user_by_mail(self, address: str) -> User | None:
        lowered = address.lower()
        return next((user for user in self.users if user.mail.lower() == lowered), None)

    def user_by_id(self, user_id: str) -> User | None:
        lowered = user_id.lower()
        return next(
            (user for user in self.users if user.id == lowered or user.mail.lower() == lowered), None
        )

    def group_by_mail(self, address: str) -> Group | None:
        lowered = address.lower()
        return next((group for group in self.groups if group.mail.lower() == lowered), None)

    def company_domain(self, company: str) -> str:
        return next((c["domain"] for c in self.companies if c["name"] == company), self.domain)

    def aliases(self) -> frozenset[str]:
        """The values the ``{tenant}`` path segment may take."""
        return frozenset({self.id.lower(), self.domain.lower(), "common", "organizations"})


def load_tenant(path: Path) -> Tenant:
    """Read and check the demo data file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigurationError(f"Demo data file {path} does not exist; set SANDBOX_DATA_FILE.") from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"Demo data file {path} is not valid JSON: {exc}.") from exc
    try:
        tenant = Tenant(
            id=raw["tenant"]["id"],
            name=raw["tenant"]["name"],
            domain=raw["tenant"]["domain"],
            users=tuple(
                User(u["id"], u["displayName"], u["mail"], u.get("jobTitle", ""), u.get("mailbox", "small"),
                     u.get("timeZone", "UTC"))
                for u in raw["users"]
            ),
            groups=tuple(
                Group(g["id"], g["displayName"], g["mail"], tuple(g.get("members", []))) for g in raw["groups"]
            ),
            companies=tuple(raw.get("companies", [])),
            contacts=tuple(
                Contact(c["first_name"], c["last_name"], tuple(c["emails"]), c.get("title", ""), c["company"],
                        c.get("phone", ""))
                for c in raw.get("contacts", [])
            ),
            deals=tuple(
                Deal(d["title"], d["company"], d["contact"], d["amount"], d["currency"], d["stage"],
                     int(d["close_in_days"]))
                for d in raw.get("deals", [])
            ),
            external_senders=tuple(Person(p["name"], p["address"]) for p in raw.get("external_senders_not_in_crm", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"Demo data file {path} is missing or has a malformed field: {exc}.") from exc
    if not tenant.users or sum(1 for u in tenant.users if u.mailbox == MAIN_MAILBOX) != 1:
        raise ConfigurationError(f"Demo data file {path} must have exactly one user with \"mailbox\": \"main\".")
    return tenant
