"""A user's mailbox: folders, messages kept sorted by time, a sender index, and queries."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import count, islice
from typing import Any

from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.errors import NotFound
from crm_app.sandbox.odata.kql import SearchFields
from crm_app.sandbox.odata.options import read_path, sort_items
from crm_app.sandbox.store.messages import StoredMessage

SEARCH_RESULT_LIMIT = 1000
WELL_KNOWN_FOLDERS = (
    ("inbox", "Inbox"),
    ("drafts", "Drafts"),
    ("sentitems", "Sent Items"),
    ("deleteditems", "Deleted Items"),
    ("archive", "Archive"),
    ("junkemail", "Junk Email"),
    ("outbox", "Outbox"),
)
ROOT_FOLDER = "msgfolderroot"
SENDER_PATH = "from/emailAddress/address"
RECEIVED_PATH = "receivedDateTime"
NEWEST_FIRST = [(RECEIVED_PATH, True)]
OLDEST_FIRST = [(RECEIVED_PATH, False)]


@dataclass
class MailFolder:
    """A mail folder and its counters."""

    data: dict[str, Any]
    well_known: str | None = None

    @property
    def id(self) -> str:
        return self.data["id"]


@dataclass
class QueryResult:
    """One page of a message query."""

    items: list[StoredMessage]
    total: int | None
    more: bool


def _received(message: StoredMessage) -> str:
    return message.data["receivedDateTime"]


def _search_text(message: StoredMessage) -> dict[str, str]:
    cache = message.search_cache
    if cache is None:
        data = message.data

        def people(*keys: str) -> str:
            parts = []
            for key in keys:
                value = data.get(key)
                for entry in value if isinstance(value, list) else [value] if value else []:
                    address = entry.get("emailAddress") or {}
                    parts.append(f"{address.get('name', '')} {address.get('address', '')}")
            return " ".join(parts).lower()

        attachments = " ".join(a.name for a in message.attachments).lower()
        subject = (data.get("subject") or "").lower()
        body = message.text.lower()
        sender, to, cc, bcc = people("from"), people("toRecipients"), people("ccRecipients"), people("bccRecipients")
        cache = {
            "subject": subject,
            "body": body,
            "from": sender,
            "to": to,
            "cc": cc,
            "bcc": bcc,
            "participants": f"{sender} {to} {cc} {bcc}",
            "attachment": attachments,
            "importance": data.get("importance", ""),
            "*": f"{subject} {sender} {to} {cc} {body} {attachments}",
        }
        message.search_cache = cache
    return cache


def _text_reader(name: str) -> Callable[[StoredMessage], str]:
    return lambda message: _search_text(message)[name]


MESSAGE_SEARCH_FIELDS = SearchFields(
    text={
        name: _text_reader(name)
        for name in ("subject", "body", "from", "to", "cc", "bcc", "participants", "attachment", "importance", "*")
    }
    | {"attachments": _text_reader("attachment"), "sender": _text_reader("from"), "recipients": _text_reader("to")},
    dates={
        "received": lambda m: m.data["receivedDateTime"],
        "sent": lambda m: m.data.get("sentDateTime") or "",
    },
    flags={
        "hasattachment": lambda m: bool(m.data["hasAttachments"]),
        "hasattachments": lambda m: bool(m.data["hasAttachments"]),
        "isread": lambda m: bool(m.data["isRead"]),
    },
)


class Mailbox:
    """Folders and messages of one user, indexed for fast filtered listing."""

    def __init__(self, owner_mail: str, ids: IdFactory) -> None:
        self.owner_mail = owner_mail
        self.ids = ids
        self.folders: dict[str, MailFolder] = {}
        self.well_known: dict[str, str] = {}
        self.messages: dict[str, StoredMessage] = {}
        self._all: list[StoredMessage] = []
        self._by_folder: dict[str, list[StoredMessage]] = {}
        self._by_sender: dict[str, list[StoredMessage]] = {}
        self._arrivals = count()
        root = self._make_folder("Top of Information Store", None, ROOT_FOLDER, hidden=True)
        for well_known, name in WELL_KNOWN_FOLDERS:
            self._make_folder(name, root.id, well_known)

    def _make_folder(self, name: str, parent: str | None, well_known: str | None, hidden: bool = False) -> MailFolder:
        folder_id = self.ids.outlook()
        folder = MailFolder(
            {
                "id": folder_id,
                "displayName": name,
                "parentFolderId": parent or folder_id,
                "childFolderCount": 0,
                "unreadItemCount": 0,
                "totalItemCount": 0,
                "sizeInBytes": 0,
                "isHidden": hidden,
            },
            well_known,
        )
        self.folders[folder_id] = folder
        self._by_folder[folder_id] = []
        if well_known:
            self.well_known[well_known] = folder_id
        if parent and parent in self.folders:
            self.folders[parent].data["childFolderCount"] += 1
        return folder

    def add_folder(self, name: str, parent: str) -> MailFolder:
        return self._make_folder(name, self.folder(parent).id, None)

    def folder(self, key: str) -> MailFolder:
        """A folder by id or well-known name (``inbox``, ``sentitems``, ...)."""
        folder_id = self.well_known.get(key.lower(), key)
        folder = self.folders.get(folder_id)
        if folder is None:
            raise NotFound(
                "The specified folder could not be found in the store. Use an id from /me/mailFolders "
                "or a well-known name such as inbox or sentitems.",
                code="ErrorInvalidIdMalformed" if len(key) < 20 else "ErrorItemNotFound",
            )
        return folder

    def children(self, parent_id: str | None) -> list[MailFolder]:
        root = self.well_known[ROOT_FOLDER]
        parent = parent_id or root
        return [f for f in self.folders.values() if f.data["parentFolderId"] == parent and f.id != parent]

    def message(self, message_id: str) -> StoredMessage:
        message = self.messages.get(message_id)
        if message is None:
            raise NotFound(
                "The specified object was not found in the store. The message may have been deleted or moved; "
                "list the folder again to get current ids.",
            )
        return message

    def _count(self, message: StoredMessage, sign: int) -> None:
        folder = self.folders[message.folder_id].data
        folder["totalItemCount"] += sign
        folder["sizeInBytes"] += sign * (len(message.text) + 512)
        if not message.data["isRead"]:
            folder["unreadItemCount"] += sign

    def load(self, messages: Iterable[StoredMessage]) -> None:
        """Add many messages at once (sorting once at the end)."""
        for message in messages:
            message.sequence = next(self._arrivals)
            self.messages[message.id] = message
            self._all.append(message)
            self._by_folder[message.folder_id].append(message)
            self._by_sender.setdefault(message.sender, []).append(message)
            self._count(message, 1)
        for bucket in (self._all, *self._by_folder.values(), *self._by_sender.values()):
            bucket.sort(key=StoredMessage.sort_key)

    def add(self, message: StoredMessage) -> StoredMessage:
        message.sequence = next(self._arrivals)
        self.messages[message.id] = message
        for bucket in (self._all, self._by_folder[message.folder_id], self._by_sender.setdefault(message.sender, [])):
            bisect.insort(bucket, message, key=StoredMessage.sort_key)
        self._count(message, 1)
        return message

    def _unindex(self, message: StoredMessage) -> None:
        for bucket in (self._all, self._by_folder[message.folder_id], self._by_sender.get(message.sender, [])):
            index = bisect.bisect_left(bucket, message.sort_key(), key=StoredMessage.sort_key)
            while index < len(bucket) and bucket[index] is not message:
                index += 1
            if index < len(bucket):
                del bucket[index]
        self._count(message, -1)

    def remove(self, message: StoredMessage) -> None:
        self._unindex(message)
        del self.messages[message.id]

    def move(self, message: StoredMessage, folder_id: str) -> StoredMessage:
        self._unindex(message)
        message.data["parentFolderId"] = self.folder(folder_id).id
        self.messages[message.id] = message
        for bucket in (self._all, self._by_folder[message.folder_id], self._by_sender.setdefault(message.sender, [])):
            bisect.insort(bucket, message, key=StoredMessage.sort_key)
        self._count(message, 1)
        return message

    def set_read(self, message: StoredMessage, is_read: bool) -> None:
        if message.data["isRead"] != is_read:
            self.folders[message.folder_id].data["unreadItemCount"] += -1 if is_read else 1
            message.data["isRead"] = is_read

    def query(
        self,
        folder_id: str | None,
        predicate: Callable[[dict[str, Any]], bool] | None,
        comparisons: list[tuple[str, str, Any]],
        orderby: list[tuple[str, bool]],
        skip: int,
        top: int,
        want_count: bool,
    ) -> QueryResult:
        """Filtered, sorted, paged listing.

        The candidates are narrowed first: to the sender index when the filter pins the
        sender with ``eq``, then to the ``receivedDateTime`` range by binary search, since
        every list is sorted by time. The full predicate runs only on what is left, and
        stops as soon as the page is known unless a total count is wanted.
        """
        base = self._by_folder[folder_id] if folder_id else self._all
        check_folder = False
        sender = next((c for path, op, c in comparisons if path == SENDER_PATH and op == "eq"), None)
        if sender is not None:
            base = self._by_sender.get(sender, [])
            check_folder = folder_id is not None
        low, high = self._time_bounds(base, comparisons)

        candidates = base[low:high]
        if check_folder:
            candidates = [m for m in candidates if m.data["parentFolderId"] == folder_id]
        if orderby and orderby not in (NEWEST_FIRST, OLDEST_FIRST):
            matched = [m for m in candidates if predicate(m.data)] if predicate else list(candidates)
            ordered = sort_items(matched, orderby, lambda m, path: read_path(m.data, path))
            return QueryResult(ordered[skip : skip + top], len(ordered) if want_count else None,
                               len(ordered) > skip + top)
        if orderby != OLDEST_FIRST:
            candidates = candidates[::-1]
        end = skip + top
        if want_count:
            matched = [m for m in candidates if predicate(m.data)] if predicate else candidates
            return QueryResult(matched[skip:end], len(matched), len(matched) > end)
        matching = candidates if predicate is None else (m for m in candidates if predicate(m.data))
        window = list(islice(matching, skip, end + 1))
        return QueryResult(window[:top], None, len(window) > top)

    @staticmethod
    def _time_bounds(base: list[StoredMessage], comparisons: list[tuple[str, str, Any]]) -> tuple[int, int]:
        low, high = 0, len(base)
        for path, op, constant in comparisons:
            if path != RECEIVED_PATH or not isinstance(constant, str):
                continue
            if op in ("ge", "eq"):
                low = max(low, bisect.bisect_left(base, constant, key=_received))
            if op == "gt":
                low = max(low, bisect.bisect_right(base, constant, key=_received))
            if op in ("le", "eq"):
                high = min(high, bisect.bisect_right(base, constant, key=_received))
            if op == "lt":
                high = min(high, bisect.bisect_left(base, constant, key=_received))
        return low, max(low, high)

    def search(self, folder_id: str | None, matcher: Callable[[StoredMessage], bool]) -> list[StoredMessage]:
        """Messages matching a KQL matcher, newest first, at most :data:`SEARCH_RESULT_LIMIT`."""
        base = self._by_folder[folder_id] if folder_id else self._all
        found: list[StoredMessage] = []
        for index in range(len(base) - 1, -1, -1):
            if matcher(base[index]):
                found.append(base[index])
                if len(found) >= SEARCH_RESULT_LIMIT:
                    break
        return found

