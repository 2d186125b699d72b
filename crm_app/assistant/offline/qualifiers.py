"""What a reference to an email says about the email: "from Dave", "about the budget", "the one from yesterday".

A qualifier picks among the emails shown ("forward the last email from Dave to …");
when none of them fits, it becomes the search that finds the email meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm_app.assistant.intents import Intent, Plan, ResultRef
from crm_app.assistant.offline.common import Request, cut
from crm_app.assistant.offline.periods import iso, search_range
from crm_app.assistant.offline.directory import name_matches
from crm_app.assistant.offline.mail_search import sender_args
from crm_app.assistant.offline.people import resolve_people

_SENDER = re.compile(
    r"\b(?:from|by|sent by) (?P<who>[^ ].*?)"
    r"(?= (?:about|regarding|re|concerning|on the subject of|titled|called|sent|received|that|which)\b|$)"
)
_TOPIC = re.compile(
    r"\b(?:about|regarding|re|concerning|on the subject of|titled|called|with the subject) (?P<topic>[^ ].*?)"
    r"(?= (?:from|by|sent|received|that|which)\b|$)"
)
_NOBODY = frozenset({"me", "my", "i", "us", "my inbox", "the inbox", "inbox"})
_ADDRESS_PUNCTUATION = re.compile(r"[<>@._+-]")


@dataclass(frozen=True)
class Qualifier:
    """The sender, topic and period a reference names; empty parts match anything."""

    sender: str = ""
    addresses: tuple[str, ...] = ()
    topic: str = ""
    start: datetime | None = None
    end: datetime | None = None

    def matches(self, item: ResultRef) -> bool:
        """True when the email ``item`` fits every part of the qualifier."""
        if self.sender and not self._sender_matches(item.sender or item.label):
            return False
        if self.topic and not name_matches(self.topic, item.label):
            return False
        if self.start is not None and self.end is not None:
            try:
                sent = datetime.fromisoformat(item.date)
            except ValueError:
                return False
            if sent.tzinfo is None or not self.start <= sent < self.end:
                return False
        return True

    def _sender_matches(self, sender: str) -> bool:
        lowered = sender.lower()
        if any(address.lower() in lowered for address in self.addresses):
            return True
        return name_matches(self.sender, _ADDRESS_PUNCTUATION.sub(" ", sender))

    def search(self, req: Request, intent: Intent) -> dict[str, Any] | Plan:
        """The mail search whose newest hit is the email meant, or a question about the sender."""
        args: dict[str, Any] = {"top": 1}
        if self.sender:
            question = sender_args(req, self.sender, args, {}, intent)
            if question is not None:
                return question
        if self.topic:
            args["query"] = self.topic
        if self.start is not None and self.end is not None:
            args["start"], args["end"] = iso(self.start), iso(self.end)
        return args


def qualifier(req: Request, start: int, end: int) -> Qualifier | None:
    """The qualifier in ``req.n[start:end]``, or None when that part names no sender, topic or date."""
    when = req.when("past")
    masked = when.mask(req.n)
    region = masked[:end]
    sender = topic = ""
    match = _SENDER.search(region, start)
    if match:
        who = cut(req, match.start("who"), match.end("who"), masked=masked)
        if who.lower() not in _NOBODY:
            sender = who
    match = _TOPIC.search(region, start)
    if match:
        topic = cut(req, match.start("topic"), match.end("topic"), strip_articles=True, masked=masked)
    period = None
    if any(start <= s and e <= end for s, e in when.spans):
        period = search_range(when, req.ctx.tz)
    if not (sender or topic or period):
        return None
    addresses: tuple[str, ...] = ()
    if sender:
        people = resolve_people(sender, req.ctx.directory, allow_company=True)
        found = [*people.addresses]
        for _, matches in people.ambiguous:
            found.extend(e for person in matches for e in person.emails)
        addresses = tuple(found)
    return Qualifier(
        sender=sender,
        addresses=addresses,
        topic=topic,
        start=period[0] if period else None,
        end=period[1] if period else None,
    )
