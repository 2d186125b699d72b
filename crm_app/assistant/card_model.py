"""The card: one typed model for what a reply shows, shared by the assistant, the stored turn and the page.

Every value is text. `kind` says what the card is (email, event, file, site, team, channel, post, crm, sent,
error, text, confirm) and which fields it carries (`KIND_FIELDS`). A confirmation shows the details of its
side effect in the named fields; details with no field of their own (a record's other fields, a model's
tool arguments) are kept in `extra`.

The card also reads like a mapping of the fields it carries (`card["title"]`, `card.get`, `in`, `items`), which
is the shape the model is shown and the shape stored with a message; `to_dict` and `Card.from_dict` are the one
place a card is written and read. It is not registered as a `Mapping`, so the page types its fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import ItemsView, Iterator, KeysView, Mapping
from typing import Any

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("id", "title", "from_name", "from_address", "to", "cc", "date", "body", "body_kind", "body_truncated",
              "body_label", "has_attachments", "is_read", "importance", "link", "crm_contact_id", "crm_contact_name"),
    "event": ("id", "title", "start", "end", "time_zone", "location", "attendees", "organizer", "online_url", "body",
              "link"),
    "file": ("id", "title", "path", "site", "size", "modified", "modified_by", "is_folder", "drive_id", "link", "body"),
    "site": ("id", "title", "description", "link"),
    "team": ("id", "title", "description", "link"),
    "channel": ("id", "title", "description", "link"),
    "post": ("id", "title", "date", "subject", "body", "link"),
    "crm": ("entity", "id", "record_id", "title", "subtitle", "fields", "link", "status"),
    "sent": ("id", "status", "title", "to", "cc", "subject", "folder", "link"),
    "error": ("id", "title", "body", "retry_id"),
    "text": ("id", "title", "body"),
    "confirm": ("id", "title", "capability", "status", "highlight"),
}


@dataclasses.dataclass
class Card:
    """One card of a reply. Fields a kind does not carry stay empty."""

    kind: str = "text"
    id: str = ""
    title: str = ""
    body: str = ""
    link: str = ""
    status: str = ""
    # email
    from_name: str = ""
    from_address: str = ""
    to: str = ""
    cc: str = ""
    date: str = ""
    body_kind: str = ""
    body_truncated: str = ""
    body_label: str = ""
    has_attachments: str = ""
    is_read: str = ""
    importance: str = ""
    crm_contact_id: str = ""
    crm_contact_name: str = ""
    # event
    start: str = ""
    end: str = ""
    time_zone: str = ""
    location: str = ""
    attendees: str = ""
    organizer: str = ""
    online_url: str = ""
    # file, site, team, post
    path: str = ""
    site: str = ""
    size: str = ""
    modified: str = ""
    modified_by: str = ""
    is_folder: str = ""
    drive_id: str = ""
    description: str = ""
    subject: str = ""
    # crm record, sent mail
    entity: str = ""
    record_id: str = ""
    subtitle: str = ""
    fields: str = ""
    folder: str = ""
    # error
    retry_id: str = ""
    retry_text: str = ""
    # confirmation details
    capability: str = ""
    highlight: str = ""
    steps: str = ""
    record: str = ""
    when: str = ""
    unresolved: str = ""
    file: str = ""
    recipients: str = ""
    role: str = ""
    channel: str = ""
    stage: str = ""
    first_name: str = ""
    last_name: str = ""
    emails: str = ""
    company: str = ""
    name: str = ""
    title_field: str = ""
    amount: str = ""
    currency: str = ""
    phone: str = ""
    text: str = ""
    due: str = ""
    message: str = ""
    extra: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Card:
        """A card from its stored or built shape; values become text, keys with no field of their own go to
        `extra` (so cards stored by earlier versions still load)."""
        named = _NAMED
        values = {k: _text(v) for k, v in data.items() if k in named}
        extra = {**{str(k): _text(v) for k, v in (data.get("extra") or {}).items()},
                 **{str(k): _text(v) for k, v in data.items() if k not in named and k != "extra"}}
        return cls(**values, extra=extra)

    def to_dict(self) -> dict[str, str]:
        """The card as stored with its message: the fields its kind carries, and any other that holds text."""
        values, extra = self.__dict__, self.extra
        return {k: values[k] if k in _NAMED else extra[k] for k in self._carried()}

    def with_values(self, **values: Any) -> Card:
        """A copy with some values changed; names with no field of their own go to `extra`."""
        return Card.from_dict({**self.to_dict(), **values})

    # ---- the mapping view
    def _carried(self) -> list[str]:
        own = _CARRIED.get(self.kind, _CARRIED_BY_ANY)
        values = self.__dict__
        return [*own, *(name for name in _FIELD_ORDER if values[name] and name not in own),
                *(k for k in self.extra if k not in _NAMED)]

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, key: str) -> str:
        if key in _NAMED:
            return getattr(self, key)
        if key in self.extra:
            return self.extra[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._carried())

    def __len__(self) -> int:
        return len(self._carried())

    def __contains__(self, key: object) -> bool:
        if key in _NAMED:
            return key in _CARRIED.get(self.kind, _CARRIED_BY_ANY) or bool(self.__dict__[key])
        return key in self.extra

    def get(self, key: str, default: str = "") -> str:
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> KeysView[str]:
        return self.to_dict().keys()

    def items(self) -> ItemsView[str, str]:
        return self.to_dict().items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Card | Mapping):
            return self.to_dict() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


_FIELD_ORDER = tuple(f.name for f in dataclasses.fields(Card) if f.name != "extra")
_NAMED = frozenset(_FIELD_ORDER)
# The fields each kind always carries, `kind` first; a card of an unknown kind carries `kind` alone.
_CARRIED = {kind: ("kind", *names) for kind, names in KIND_FIELDS.items()}
_CARRIED_BY_ANY = ("kind",)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
