"""An in-memory :class:`~crm_app.assistant.intents.Directory` over demo-tenant shaped data.

Name matching is case- and accent-insensitive and ignores apostrophes: every word of
the query must be the start of a different word of the name ("jo sm" finds "John
Smith", "acme corp" finds "Acme Corporation"). A full email address finds its
contact. An exact full-name match wins over partial ones.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crm_app.assistant.intents import AssistantError, Person


class DirectoryDataError(AssistantError, ValueError):
    """Directory data could not be read."""


def name_key(text: str) -> str:
    """``text`` lower-cased, with accents and apostrophes removed and spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("'", "").replace("’", "")
    return " ".join(plain.replace("-", " ").replace(",", " ").split())


def name_matches(query: str, name: str) -> bool:
    """True when every word of ``query`` starts a distinct word of ``name``."""
    wanted = name_key(query).split()
    available = name_key(name).split()
    if not wanted:
        return False
    for word in wanted:
        for index, candidate in enumerate(available):
            if candidate.startswith(word):
                del available[index]
                break
        else:
            return False
    return True


def _best(query: str, names: Iterable[str]) -> list[str]:
    matching = [name for name in names if name_matches(query, name)]
    exact = [name for name in matching if name_key(name) == name_key(query)]
    return exact or matching


class InMemoryDirectory:
    """CRM contacts, companies and deals held in memory."""

    def __init__(
        self,
        contacts: Iterable[Person],
        companies: Iterable[str],
        deals: Iterable[str],
    ) -> None:
        self._contacts = list(contacts)
        self._companies = list(companies)
        self._deals = list(deals)

    @classmethod
    def from_tenant(cls, data: Mapping[str, Any]) -> InMemoryDirectory:
        """Build from a mapping shaped like ``crm_app/demo_data/tenant.json``."""
        try:
            contacts = [
                Person(
                    name=f"{row['first_name']} {row['last_name']}".strip(),
                    emails=tuple(row.get("emails", ())),
                    company=row.get("company"),
                    title=row.get("title"),
                )
                for row in data.get("contacts", ())
            ]
            companies = [row["name"] for row in data.get("companies", ())]
            deals = [row["title"] for row in data.get("deals", ())]
        except (KeyError, TypeError) as exc:
            raise DirectoryDataError(
                f"Directory data is missing a field ({exc}); each contact needs first_name and "
                "last_name, each company a name and each deal a title."
            ) from exc
        return cls(contacts, companies, deals)

    @classmethod
    def from_file(cls, path: str | Path) -> InMemoryDirectory:
        """Build from a tenant JSON file."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DirectoryDataError(
                f"Cannot read directory data from {path}: {exc}. Check the path and that the file is valid JSON."
            ) from exc
        return cls.from_tenant(data)

    def find_contacts(self, name: str) -> list[Person]:
        """Contacts whose name or address matches ``name``."""
        key = name_key(name)
        if "@" in key:
            return [p for p in self._contacts if key in (name_key(e) for e in p.emails)]
        names = _best(name, [p.name for p in self._contacts])
        return [p for p in self._contacts if p.name in names]

    def find_companies(self, name: str) -> list[str]:
        """Company names matching ``name``."""
        return _best(name, self._companies)

    def find_deals(self, name: str) -> list[str]:
        """Deal titles matching ``name``."""
        return _best(name, self._deals)

    def contacts_of_company(self, name: str) -> list[Person]:
        """Contacts working at the company ``name`` refers to."""
        companies = set(self.find_companies(name))
        return [p for p in self._contacts if p.company in companies]
