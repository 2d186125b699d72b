"""OneDrive and SharePoint document libraries: a tree of folders and files with text content."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_app.sandbox.data import office
from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.errors import NotFound
from crm_app.sandbox.links import Links
from crm_app.sandbox.odata.values import format_datetime

_WORD = re.compile(r"\w+")


@dataclass
class DriveRecord:
    """One drive item: its Graph JSON, its text (files only), children (folders only), sharing."""

    data: dict[str, Any]
    text: str | None = None
    children: list[str] = field(default_factory=list)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    _content: bytes | None = None

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def is_folder(self) -> bool:
        return "folder" in self.data

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = office.render(self.name, self.text or "")
        return self._content


def identity(display_name: str, email: str, user_id: str) -> dict[str, Any]:
    return {"user": {"email": email, "id": user_id, "displayName": display_name}}


class Drive:
    """A drive (``business`` for OneDrive, ``documentLibrary`` for a site) with a root folder."""

    def __init__(self, ids: IdFactory, links: Links, *, name: str, drive_type: str, owner: dict[str, Any],
                 created: datetime, site_id: str | None = None) -> None:
        self.ids = ids
        self.links = links
        self.id = ids.drive()
        self.name = name
        self.drive_type = drive_type
        self.owner = owner
        self.site_id = site_id
        self.created = created
        self.items: dict[str, DriveRecord] = {}
        self.root = self._record(name="root", parent=None, created=created, modified=created, author=owner,
                                 folder=True)
        self.root.data["root"] = {}

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "driveType": self.drive_type,
            "name": self.name,
            "createdDateTime": format_datetime(self.created),
            "lastModifiedDateTime": format_datetime(self.created),
            "description": "",
            "webUrl": self.links.drive_item(self.root.id),
            "createdBy": self.owner,
            "owner": self.owner,
            "quota": {"deleted": 0, "remaining": 1099511627776, "state": "normal", "total": 1099511627776,
                      "used": sum(len(r.text or "") for r in self.items.values())},
        }

    def _record(self, *, name: str, parent: DriveRecord | None, created: datetime, modified: datetime,
                author: dict[str, Any], folder: bool = False, text: str | None = None) -> DriveRecord:
        item_id = self.ids.drive_item()
        tag = self.ids.guid().upper()
        data: dict[str, Any] = {
            "createdDateTime": format_datetime(created),
            "eTag": f'"{{{tag}}},1"',
            "id": item_id,
            "lastModifiedDateTime": format_datetime(modified),
            "name": name,
            "webUrl": self.links.drive_item(item_id),
            "cTag": f'"c:{{{tag}}},1"',
            "size": 0,
            "createdBy": author,
            "lastModifiedBy": author,
            "parentReference": self._parent_reference(parent),
            "fileSystemInfo": {"createdDateTime": format_datetime(created),
                               "lastModifiedDateTime": format_datetime(modified)},
        }
        record = DriveRecord(data, text)
        if folder:
            data["folder"] = {"childCount": 0}
        else:
            content = record.content
            data["size"] = len(content)
            data["file"] = {
                "mimeType": office.mime_type(name),
                "hashes": {"sha1Hash": hashlib.sha1(content).hexdigest().upper()},
            }
        self.items[item_id] = record
        if parent is not None:
            parent.children.append(item_id)
            parent.data["folder"]["childCount"] = len(parent.children)
            self._grow(parent, data["size"])
        return record

    def _grow(self, folder: DriveRecord, size: int) -> None:
        current: DriveRecord | None = folder
        while current is not None:
            current.data["size"] += size
            parent_id = current.data["parentReference"].get("id")
            current = self.items.get(parent_id) if parent_id else None

    def _parent_reference(self, parent: DriveRecord | None) -> dict[str, Any]:
        reference: dict[str, Any] = {"driveType": self.drive_type, "driveId": self.id}
        if self.site_id:
            reference["siteId"] = self.site_id
        if parent is not None:
            reference["id"] = parent.id
            reference["name"] = parent.name if parent is not self.root else self.name
            reference["path"] = self.path_of(parent)
        return reference

    def path_of(self, folder: DriveRecord) -> str:
        names: list[str] = []
        current: DriveRecord | None = folder
        while current is not None and current is not self.root:
            names.append(current.name)
            parent_id = current.data["parentReference"].get("id")
            current = self.items.get(parent_id) if parent_id else None
        suffix = "/".join(reversed(names))
        return "/drive/root:" + (f"/{suffix}" if suffix else "")

    def add_folder(self, parent: DriveRecord, name: str, created: datetime, author: dict[str, Any]) -> DriveRecord:
        return self._record(name=name, parent=parent, created=created, modified=created, author=author, folder=True)

    def add_file(self, parent: DriveRecord, name: str, text: str, created: datetime, modified: datetime,
                 author: dict[str, Any]) -> DriveRecord:
        return self._record(name=name, parent=parent, created=created, modified=modified, author=author, text=text)

    def update_file(self, record: DriveRecord, text: str, modified: datetime, author: dict[str, Any]) -> DriveRecord:
        """New content for an existing file: same id, new size, hash, tags and modification time."""
        old_size = record.data["size"]
        record.text = text
        record._content = None
        content = record.content
        tag = self.ids.guid().upper()
        stamp = format_datetime(modified)
        record.data.update({
            "size": len(content),
            "eTag": f'"{{{tag}}},2"',
            "cTag": f'"c:{{{tag}}},2"',
            "lastModifiedDateTime": stamp,
            "lastModifiedBy": author,
            "fileSystemInfo": {**record.data["fileSystemInfo"], "lastModifiedDateTime": stamp},
            "file": {"mimeType": office.mime_type(record.name),
                     "hashes": {"sha1Hash": hashlib.sha1(content).hexdigest().upper()}},
        })
        parent = self.items.get(record.data["parentReference"].get("id", ""))
        if parent is not None:
            self._grow(parent, len(content) - old_size)
        return record

    def item(self, item_id: str) -> DriveRecord:
        if item_id == "root":
            return self.root
        record = self.items.get(item_id)
        if record is None:
            raise NotFound(
                "The resource could not be found. The item may have been deleted or the id belongs to another "
                "drive; list the folder again to get current ids.",
                code="itemNotFound",
            )
        return record

    def children(self, folder: DriveRecord) -> list[DriveRecord]:
        return [self.items[child] for child in folder.children]

    def files(self) -> list[DriveRecord]:
        return [record for record in self.items.values() if not record.is_folder]

    def search(self, query: str) -> list[DriveRecord]:
        """Items whose name or text contains every word of ``query`` (case-insensitive, word prefix)."""
        words = [w.lower() for w in _WORD.findall(query)]
        if not words:
            return []
        found = []
        for record in self.items.values():
            if record is self.root:
                continue
            haystack = f"{record.name} {record.text or ''}".lower()
            tokens = _WORD.findall(haystack)
            if all(any(token.startswith(word) for token in tokens) for word in words):
                found.append(record)
        return found

    def recent(self) -> list[DriveRecord]:
        return sorted(self.files(), key=lambda r: r.data["lastModifiedDateTime"], reverse=True)
