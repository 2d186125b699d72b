"""One assistant message as it builds up, and the state of the turn that builds it."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.assistant.card_model import Card

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8000
PROGRESS_INTERVAL_S = 0.2
RESULT_KINDS = ("email", "event", "file", "site", "team")


@dataclass
class Chip:
    """A progress chip: what is being done, and how it went (running, done or failed)."""

    label: str
    state: str = "running"
    capability: str = ""


@dataclass
class Action:
    """A side effect proposed on a confirmation card, as stored with its message until it has run."""

    capability: str
    tool: str
    source: str
    canonical: dict[str, Any] | None = None
    raw: dict[str, Any] | None = None
    status: str = "pending"
    request: str = ""
    edits: dict[str, str] = field(default_factory=dict)
    then_log: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Action:
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})


def plain(value: Any) -> Any:
    """What the turn holds as JSON-ready dicts and lists: the shape stored with a message and shown by the page."""
    if isinstance(value, Card):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@dataclass
class Turn:
    """One assistant message as it builds up: progress chips, cards, reply text, flags."""

    text: str = ""
    cards: list[Card] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=dict)
    retry_text: str = ""
    status: str = "working"
    message_id: int = 0
    # For a confirmation: the status its action ended in ("" when this turn did not run it).
    action_status: str = ""
    search: dict[str, Any] = field(default_factory=dict)
    question: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return plain({"cards": self.cards, "chips": self.chips, "flags": self.flags, "results": self.results,
                      "actions": self.actions, "retry_text": self.retry_text, "status": self.status,
                      "search": self.search, "question": self.question})

    def remember(self, found: list[Card]) -> None:
        """The cards a follow-up ("what does the second one say") can refer to."""
        self.results = [
            {"kind": c.kind if c.kind in RESULT_KINDS else "crm",
             "id": c.id, "label": c.title, "preview_only": c.body_kind == "preview", "card": c}
            for c in found if c.id
        ]


Sink = Callable[[Turn], Awaitable[None]]


async def no_sink(_: Turn) -> None:
    return None


class ThrottledSink:
    """Shows a turn's progress no sooner than `interval` seconds after it began and then at most that often.

    A turn that ends within the interval shows only its final state (the page shows it with the saved
    message), so it does not flicker through chips nobody could read; a slow one shows its latest state
    as it goes. Progress still due when the turn ends is dropped by `close`.
    """

    def __init__(self, show: Sink, interval: float = PROGRESS_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._show, self._interval, self._clock = show, interval, clock
        self._shown_at = clock()
        self._latest = Turn()
        self._due: asyncio.Task[None] | None = None

    async def __call__(self, turn: Turn) -> None:
        self._latest = turn
        if self._due is None:
            self._due = asyncio.create_task(self._show_when_due())

    async def _show_when_due(self) -> None:
        await asyncio.sleep(max(0.0, self._shown_at + self._interval - self._clock()))
        self._due, self._shown_at = None, self._clock()
        try:
            await self._show(self._latest)
        except Exception:
            log.exception("showing the turn's progress failed")

    def close(self) -> None:
        if self._due is not None:
            self._due.cancel()
            self._due = None


@dataclass
class Proposal:
    """A side effect waiting for confirmation: what runs (canonical arguments) and what the card shows."""

    title: str
    summary: dict[str, str]
    canonical: dict[str, Any]
    tool_name: str = ""
    source: str = "crm"
    also_named: set[str] = field(default_factory=set)
    then_log: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    """What the last read's tool could not do with the request: parts checked on its results here,
    and parts not applied at all (canonical argument names)."""

    tool: str
    checked_here: tuple[str, ...]
    unapplied: tuple[str, ...]


class TurnFailed(Exception):
    """A step failed; the message is for the user."""


class AlreadyDone(Exception):
    """The request needs no action (the record already exists); the message says so."""


class NeedsChoice(Exception):
    """A name in the request matched several people or groups; the user picks one."""

    def __init__(self, name: str, matches: list[tuple[str, str]]) -> None:
        super().__init__(f"“{name}” matches {len(matches)} people or groups")
        self.name = name
        self.matches = matches


@dataclass
class TurnState:
    """What one turn knows and has produced so far; handlers receive it and add to it."""

    sink: Sink = no_sink
    turn: Turn = field(default_factory=Turn)
    user_text: str = ""
    last_results: list[dict[str, Any]] = field(default_factory=list)
    last_search: dict[str, Any] = field(default_factory=dict)
    capability: str = "request"
    found_file: Card = field(default_factory=Card)
    last_data: dict[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=lambda: Limits("", (), ()))

    async def emit(self) -> None:
        """Show the turn so far; a page that cannot be updated does not stop the work (the result is returned)."""
        try:
            await self.sink(self.turn)
        except Exception:
            log.exception("showing the turn's progress failed")

    async def chip(self, label: str, capability: str = "") -> Chip:
        chip = Chip(label, capability=capability)
        self.turn.chips.append(chip)
        await self.emit()
        return chip

    @staticmethod
    def end_chip(chip: Chip, ok: bool) -> None:
        """Mark a chip done or failed, with words that say so ("Sent the email")."""
        chip.state = "done" if ok else "failed"
        if chip.capability:
            chip.label = replies.chip_label(chip.capability, chip.state)
        else:
            chip.label = chip.label.rstrip("…")

    async def say(self, text: str) -> None:
        """Show a reply composed in full (replies from a model stream as they arrive)."""
        self.turn.text = text
        await self.emit()

    async def fail(self, capability: str, message: str) -> None:
        card = cardlib.error_card(replies.failure_what(capability), message, retry_id=uuid.uuid4().hex)
        card.retry_text = self.turn.retry_text
        self.turn.cards.append(card)
        self.turn.status = "failed"
        for chip in self.turn.chips:
            if chip.state == "running":
                self.end_chip(chip, False)
        await self.say(replies.failure_reply(capability, message))

    async def finish(self) -> Turn:
        """The finished turn. It is not shown from here: whoever shows the turn shows its final state with the
        saved message."""
        if self.turn.status == "working":
            self.turn.status = "done"
        return self.turn

    def earlier_cards(self) -> list[Card]:
        """The cards of the previous reply, which this turn may refer to."""
        return [Card.from_dict(r["card"]) for r in self.last_results if r.get("card")]
