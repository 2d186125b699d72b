"""The assistant's plan contract: intents, plans, parse context and the contact directory.

Both assistant backends (the offline parser and the LLM with tool calling) turn one
chat message into a :class:`Plan`. The tool resolver maps a plan's canonical
arguments onto the MCP or CRM tool the user's servers offer.

Canonical arguments by intent (all optional unless the intent makes no sense without):

* ``mail.search``: ``query``, ``sender`` (address), ``sender_name`` (a name the CRM
  does not know), ``sender_company`` (expand to that company's contact addresses),
  ``start``/``end`` (ISO-8601 with the user's UTC offset), ``folder`` (Graph
  well-known name such as ``inbox``/``sentitems``, or a folder's display name),
  ``unread_only``, ``has_attachments``, ``top``; ``more`` alone asks for the next page of the
  search shown last.
* ``mail.get``: ``ref``, ``message_id``, or ``find`` (the newest hit of a search, as below). ``mail.reply``: ``ref``, ``body``,
  ``reply_all``. ``mail.forward``: ``ref``, ``to``, ``to_names``, ``body``. A reply
  or forward whose email is not among the results shown carries ``find`` instead of
  ``ref``: the ``mail.search`` arguments whose newest hit is the email meant.
* ``mail.send`` / ``mail.draft``: ``to`` (addresses), ``to_names`` (unresolved
  names and groups such as ``finance team``), ``cc``, ``subject``, ``body``.
* ``calendar.list``: ``start``, ``end``, ``top``. ``calendar.create``: ``subject``,
  ``start``, ``end``, ``attendees``, ``attendee_names``, ``location``, ``body``,
  ``time_zone``, ``default_length`` (True when no length or end was said). ``calendar.find_times``: ``start``, ``end``, ``attendees``,
  ``attendee_names``, ``duration_minutes``.
* ``files.list``/``files.recent``/``files.search``/``files.read``: ``query``,
  ``folder``, ``top``, ``ref``. ``files.share``: ``file_query`` or ``ref``,
  ``recipients``, ``recipient_names``, ``role`` (``read``/``write``).
* ``sharepoint.search``: ``query``. ``sharepoint.list_files``: ``site``.
* ``teams.channels``: ``team_name``. ``teams.post``: ``team_name``,
  ``channel_name``, ``message``.
* ``crm.search``: ``entity``, ``query``, ``company``, ``stage``, ``start``/``end`` (a deal's
  expected close date falls in that range). ``crm.get`` /
  ``crm.delete``: ``entity``, ``ref``. ``crm.create``: ``entity``, ``fields``.
  ``crm.update``: ``entity``, ``ref``, ``fields``. ``crm.deal.move``: ``entity``,
  ``ref``, ``stage``. ``crm.note.add``: ``entity``, ``ref``, ``text``.
  ``crm.task.add``: ``text``, ``due`` (ISO date, or ISO datetime when a time was
  given), optional ``entity``/``ref``. ``crm.log_email``: ``ref`` (the email),
  optional ``entity``/``target`` (the CRM record to log it against).
* ``clarify``: ``missing`` (the slot that needs an answer), ``pending_intent``,
  ``partial`` (arguments already understood), ``candidates`` (addresses or record
  names when a reference matched several).

A follow-up ``ref`` is ``{"kind": ..., "index": i, "id": ...}``: ``index`` is the
0-based position in :attr:`ParseContext.last_results`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo


class Intent(StrEnum):
    """What a chat message asks the assistant to do."""

    MAIL_SEARCH = "mail.search"
    MAIL_GET = "mail.get"
    MAIL_SEND = "mail.send"
    MAIL_REPLY = "mail.reply"
    MAIL_FORWARD = "mail.forward"
    MAIL_DRAFT = "mail.draft"
    MAIL_FOLDERS = "mail.folders"
    CALENDAR_LIST = "calendar.list"
    CALENDAR_CREATE = "calendar.create"
    CALENDAR_FIND_TIMES = "calendar.find_times"
    CALENDAR_BRIEF = "calendar.brief"
    FILES_LIST = "files.list"
    FILES_RECENT = "files.recent"
    FILES_SEARCH = "files.search"
    FILES_READ = "files.read"
    FILES_SHARE = "files.share"
    SHAREPOINT_SITES = "sharepoint.sites"
    SHAREPOINT_SEARCH = "sharepoint.search"
    SHAREPOINT_LIST_FILES = "sharepoint.list_files"
    TEAMS_LIST = "teams.list"
    TEAMS_CHANNELS = "teams.channels"
    TEAMS_MESSAGES = "teams.messages"
    TEAMS_POST = "teams.post"
    CRM_SEARCH = "crm.search"
    CRM_GET = "crm.get"
    CRM_CREATE = "crm.create"
    CRM_UPDATE = "crm.update"
    CRM_DELETE = "crm.delete"
    CRM_DEAL_MOVE = "crm.deal.move"
    CRM_NOTE_ADD = "crm.note.add"
    CRM_TASK_ADD = "crm.task.add"
    CRM_LOG_EMAIL = "crm.log_email"
    TOOL_USE = "tool.use"
    STEPS = "steps"
    HELP = "help"
    GREETING = "greeting"
    CLARIFY = "clarify"
    UNSUPPORTED = "unsupported"


SIDE_EFFECT_INTENTS: frozenset[Intent] = frozenset(
    {
        Intent.MAIL_SEND,
        Intent.MAIL_REPLY,
        Intent.MAIL_FORWARD,
        Intent.MAIL_DRAFT,
        Intent.CALENDAR_CREATE,
        Intent.FILES_SHARE,
        Intent.TEAMS_POST,
        Intent.CRM_CREATE,
        Intent.CRM_UPDATE,
        Intent.CRM_DELETE,
        Intent.CRM_DEAL_MOVE,
        Intent.CRM_NOTE_ADD,
        Intent.CRM_TASK_ADD,
        Intent.CRM_LOG_EMAIL,
    }
)

DEAL_STAGES: tuple[str, ...] = (
    "lead",
    "qualified",
    "proposal",
    "negotiation",
    "won",
    "lost",
)
CRM_ENTITIES: tuple[str, ...] = ("contact", "company", "deal", "activity")
RESULT_KINDS: tuple[str, ...] = ("email", "event", "file", "site", "team", "crm")


def is_side_effect(intent: Intent | str) -> bool:
    """True when carrying out ``intent`` changes data, so it needs the user's confirmation."""
    try:
        return Intent(intent) in SIDE_EFFECT_INTENTS
    except ValueError:
        return False


class AssistantError(Exception):
    """Base class of the assistant package's errors."""


class InvalidContextError(AssistantError, ValueError):
    """A :class:`ParseContext` was built with values the parser cannot work with."""


@dataclass(frozen=True)
class Person:
    """A CRM contact as the directory returns it; ``emails[0]`` is the primary address.

    ``title`` is the job title ("CFO", "Procurement Director"), so a person can be named
    by role and company ("the cfo at Globex").
    """

    name: str
    emails: tuple[str, ...]
    company: str | None = None
    title: str | None = None

    @property
    def email(self) -> str | None:
        """The primary address, or None for a contact without one."""
        return self.emails[0] if self.emails else None

    def label(self) -> str:
        """How the person is offered to the user when a name is ambiguous."""
        parts = [self.name]
        if self.company:
            parts.append(f"({self.company})")
        if self.email:
            parts.append(f"<{self.email}>")
        return " ".join(parts)


@dataclass(frozen=True)
class ResultRef:
    """One item the conversation showed last, so follow-ups can point at it.

    ``preview_only`` is True for an email whose card held only the body preview;
    ``sender`` (an email's "Name <address>") and ``date`` (ISO-8601) let a follow-up
    such as "the one from Dave yesterday" pick it.
    """

    kind: str
    id: str
    label: str
    preview_only: bool = False
    sender: str = ""
    date: str = ""

    def __post_init__(self) -> None:
        if self.kind not in RESULT_KINDS:
            raise InvalidContextError(
                f"Unknown result kind {self.kind!r}; use one of {', '.join(RESULT_KINDS)}."
            )


@runtime_checkable
class Directory(Protocol):
    """Read access to the CRM's people, companies and deals, by (partial) name."""

    def find_contacts(self, name: str) -> list[Person]: ...

    def find_companies(self, name: str) -> list[str]: ...

    def find_deals(self, name: str) -> list[str]: ...

    def contacts_of_company(self, name: str) -> list[Person]: ...


@dataclass
class ParseContext:
    """Everything a parse may depend on besides the message itself.

    ``now`` must be timezone-aware; it is converted to ``tz`` so every date the
    parser produces carries the user's UTC offset.
    """

    now: datetime
    tz: ZoneInfo
    directory: Directory
    last_results: list[ResultRef] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise InvalidContextError(
                "ParseContext.now must be timezone-aware; pass datetime.now(tz) rather than a naive time."
            )
        if not isinstance(self.tz, ZoneInfo):
            raise InvalidContextError(
                "ParseContext.tz must be a zoneinfo.ZoneInfo such as ZoneInfo('Europe/London')."
            )
        self.now = self.now.astimezone(self.tz).replace(microsecond=0)


@dataclass(frozen=True)
class Plan:
    """What the assistant will do for one message.

    ``question``/``options`` are set for ``clarify``; ``suggestions`` for
    ``unsupported`` and ``help``; ``explanation`` is one short sentence for the user.
    """

    intent: Intent
    args: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    question: str | None = None
    options: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def side_effect(self) -> bool:
        """True when the plan changes data and needs confirmation first."""
        return is_side_effect(self.intent)
