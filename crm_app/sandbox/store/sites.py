"""SharePoint sites, each with one document library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_app.sandbox.store.drive import Drive


@dataclass
class Site:
    """A site: its Graph JSON and its default document library."""

    data: dict[str, Any]
    drive: Drive

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def name(self) -> str:
        return self.data["name"]
