"""What every rule works with: the message, its dates, and building plans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_app.assistant.intents import Intent, ParseContext, Person, Plan
from crm_app.assistant.offline.date_words import Direction
from crm_app.assistant.offline.dates import extract
from crm_app.assistant.offline.periods import When
from crm_app.assistant.offline.explain import describe
from crm_app.assistant.offline.text import Utterance

_POLITE_PREFIX = re.compile(
    r"^(?:(?:hey|hi|hello|ok|okay|so|um|uh|yo|please|kindly|and|also|now|then|quickly|"
    r"assistant|actually|alright|right|great|thanks|thank you),? )*"
    r"(?:(?:can|could|would|will) (?:you|we|i) (?:please |kindly |just |also )?"
    r"|(?:i (?:want|need|would like|wish) (?:you )?to|i am looking to|i would love to|help me|let us|go ahead and|"
    r"do me a favou?r and|be so kind as to|is it possible to|are you able to|try to|i have to|i must) (?:please )?)?"
    r"(?:please |just |quickly |also )?"
)
_TRAILING_FILLER = re.compile(
    r"(?:,? (?:please|for me|for now|thanks|thank you|asap|right now|now|real quick|quickly|if you can|if possible|would you|could you|ok|okay)\b)+ ?[.!?]*$|[ .!?]+$"
)
_SAYS = re.compile(r"\b(?:saying|say|says|said|with|reply|message|body|that)$")
_LEADING_ARTICLES = re.compile(r"^(?:(?:the|a|an|my|our|some|any|all|this|that) )+")

_QUOTED = re.compile(
    r"(?:^|(?<=[\s(:]))[\"'“‘](?P<q>[^\"“”]{2,}?)[\"'”’](?=\s|$|[.,!?;:)])"
)

MAX_SUGGESTIONS = 3
CONFIDENT = 0.9
LIKELY = 0.75
UNSURE = 0.5


@dataclass
class Request:
    """One message being parsed: its utterance with politeness stripped, plus the context."""

    utterance: Utterance
    ctx: ParseContext
    full: str = ""
    _when: dict[str, When] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str, ctx: ParseContext) -> Request:
        full = Utterance.parse(text)
        prefix = _POLITE_PREFIX.match(full.norm)
        start = prefix.end() if prefix else 0
        trailing = _TRAILING_FILLER.search(full.norm)
        end = (
            trailing.start()
            if trailing
            and trailing.start() > start
            and not _SAYS.search(full.norm, 0, trailing.start())
            else len(full.norm)
        )
        core = full.slice(start, end) if start < end else full
        return cls(core, ctx, full.norm)

    @property
    def n(self) -> str:
        """The normalised message."""
        return self.utterance.norm

    @property
    def now(self) -> datetime:
        return self.ctx.now

    def when(self, direction: Direction) -> When:
        """Dates in the message, read looking back (mail) or ahead (calendar)."""
        if direction not in self._when:
            self._when[direction] = extract(self.n, self.ctx.now, direction)
        return self._when[direction]

    def original(self, start: int, end: int) -> str:
        """The user's own words behind ``n[start:end]``."""
        return self.utterance.original(start, end)

    def quoted(self) -> str | None:
        """Text the user put in quotes, as written."""
        match = _QUOTED.search(self.utterance.source)
        return match["q"].strip() if match else None

    def has(self, pattern: str) -> re.Match[str] | None:
        """Search the normalised message."""
        return re.search(pattern, self.n)

    def without(self, pattern: re.Pattern[str]) -> Request:
        """The request again with every match of ``pattern`` in :attr:`n` left out of the user's words."""
        source = self.utterance.source
        pieces: list[str] = []
        position = 0
        for match in pattern.finditer(self.n):
            span = self.utterance.source_span(match.start(), match.end())
            if span is None:
                continue
            pieces.append(source[position : span[0]].rstrip(" ,;"))
            position = span[1]
        if not pieces:
            return self
        pieces.append(source[position:])
        return Request.build(" ".join(p for p in pieces if p.strip()), self.ctx)


_TRAILING_PREPOSITIONS = re.compile(
    r"(?:,? (?:from|on|at|by|in|for|until|till|before|after|of|with|during|since|and|due))+$"
)


def trim_span(
    text: str,
    start: int,
    end: int,
    strip_articles: bool = False,
    strip_prepositions: bool = False,
) -> tuple[int, int]:
    """Shrink ``text[start:end]`` past spaces, punctuation, filler words and, optionally,
    leading articles and trailing prepositions left behind by a removed date."""
    while start < end and text[start] in " ,:;-'\"":
        start += 1
    while end > start and text[end - 1] in " ,:;-.?!'\"":
        end -= 1
    trailing = _TRAILING_FILLER.search(text[start:end])
    if trailing and trailing.start() > 0:
        end = start + trailing.start()
    if strip_prepositions:
        dangling = _TRAILING_PREPOSITIONS.search(text[start:end])
        if dangling and dangling.start() > 0:
            end = start + dangling.start()
    if strip_articles:
        leading = _LEADING_ARTICLES.match(text[start:end])
        if leading and leading.end() < end - start:
            start += leading.end()
    while end > start and text[end - 1] in " ,:;-.?!'\"":
        end -= 1
    return start, end


def cut(
    req: Request,
    start: int,
    end: int,
    strip_articles: bool = False,
    masked: str | None = None,
) -> str:
    """The user's own words behind a trimmed span of the normalised message.

    With ``masked`` (the message with its dates blanked out), trimming sees the
    blanks, so a date at either end of the span is left out along with the
    preposition that introduced it.
    """
    base = masked if masked is not None else req.n
    start, end = trim_span(
        base, start, end, strip_articles, strip_prepositions=masked is not None
    )
    return req.original(start, end) if start < end else ""


def plan(
    intent: Intent,
    args: dict[str, Any],
    confidence: float = CONFIDENT,
    names: dict[str, str] | None = None,
    **extra: Any,
) -> Plan:
    """A plan with its explanation written from its arguments (and the names behind addresses)."""
    clean = {
        key: value for key, value in args.items() if value not in (None, "", [], {})
    }
    return Plan(
        intent=intent,
        args=clean,
        confidence=confidence,
        explanation=extra.pop("explanation", None) or describe(intent, clean, names),
        **extra,
    )


def clarify(
    question: str,
    *,
    missing: str,
    options: list[str] | None = None,
    pending_intent: Intent | None = None,
    partial: dict[str, Any] | None = None,
    candidates: list[str] | None = None,
    ambiguous: str | None = None,
    confidence: float = LIKELY,
) -> Plan:
    """A question back to the user, remembering what is already understood.

    ``ambiguous`` is the user's own words that matched several ``candidates``.
    """
    args: dict[str, Any] = {"missing": missing}
    if ambiguous:
        args["ambiguous"] = ambiguous
    if pending_intent is not None:
        args["pending_intent"] = str(pending_intent)
    if partial:
        args["partial"] = {
            k: v for k, v in partial.items() if v not in (None, "", [], {})
        }
    if candidates:
        args["candidates"] = candidates
    return Plan(
        intent=Intent.CLARIFY,
        args=args,
        confidence=confidence,
        question=question,
        options=options or [],
        explanation=question,
    )


def which_person(
    name: str, people: list[Person], pending_intent: Intent, partial: dict[str, Any]
) -> Plan:
    """Ask which of several CRM contacts a name meant."""
    return clarify(
        f"I found {len(people)} contacts called {name}. Which one do you mean?",
        missing="person",
        options=[person.label() for person in people],
        pending_intent=pending_intent,
        partial=partial,
        candidates=[person.email or person.name for person in people],
        ambiguous=name,
    )


def unsupported(
    reason: str, suggestions: list[str], confidence: float = CONFIDENT
) -> Plan:
    """An honest refusal with the (at most three) nearest things the user can ask instead."""
    return Plan(
        intent=Intent.UNSUPPORTED,
        args={},
        confidence=confidence,
        suggestions=suggestions[:MAX_SUGGESTIONS],
        explanation=reason,
    )
