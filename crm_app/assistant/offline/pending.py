"""Answers to the parser's own questions ("Which John?" → "the one at Globex").

The parser keeps no state: when its reply to the previous message
(``ctx.history[-1]``) was a question, the previous message is parsed again and the
new message is read as the answer, unless it is a request of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crm_app.assistant.intents import Intent, ParseContext, Plan
from crm_app.assistant.offline.common import CONFIDENT, Request, plan, which_person
from crm_app.assistant.offline.directory import name_key
from crm_app.assistant.offline.people import resolve_people
from crm_app.assistant.offline.records import resolve_record
from crm_app.assistant.offline.vocab import ORDINALS

ParseFn = Callable[[str, ParseContext, bool], Plan]

_CHOICE_NOISE = re.compile(
    r"\b(?:the|one|guy|person|woman|man|contact|at|from|with|in|of|who|works|is|i|mean|meant|please|him|her|that|option|number|no|yes)\b"
)
_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|sure|ok|okay|please|please do|do it|go ahead|open it|yes please|sure thing|absolutely)\b",
    re.IGNORECASE,
)
_PEOPLE_SLOTS = {
    "to": ("to", "to_names"),
    "recipients": ("recipients", "recipient_names"),
}
_TEXT_SLOTS = {
    "text": "text",
    "body": "body",
    "message": "message",
    "subject": "subject",
}


def choose(answer: str, options: list[str], candidates: list[str]) -> str | None:
    """The candidate the answer picks, by position ("the second") or by words in its option."""
    words = answer.lower().split()
    for word in words:
        word = word.strip(".,!?")
        if word in ORDINALS and ORDINALS[word] < len(candidates):
            return candidates[ORDINALS[word]]
        if word.isdigit() and 0 < int(word) <= len(candidates):
            return candidates[int(word) - 1]
    wanted = _CHOICE_NOISE.sub(" ", name_key(answer)).split()
    if not wanted:
        return None
    hits = [
        candidate
        for option, candidate in zip(options, candidates, strict=False)
        if all(word in name_key(option + " " + candidate) for word in wanted)
    ]
    return hits[0] if len(hits) == 1 else None


def _replace_first(text: str, old: str, new: str) -> str:
    return re.sub(re.escape(old), new, text, count=1, flags=re.IGNORECASE)


def answer(req: Request, standalone: Plan, parse_fn: ParseFn) -> Plan | None:
    """The completed request when ``req`` answers the previous question, else None."""
    ctx = req.ctx
    if not ctx.history:
        return None
    previous_text = ctx.history[-1]
    previous_ctx = ParseContext(
        now=ctx.now,
        tz=ctx.tz,
        directory=ctx.directory,
        last_results=ctx.last_results,
        history=ctx.history[:-1],
    )
    previous = parse_fn(previous_text, previous_ctx, False)
    if previous.intent is not Intent.CLARIFY or "pending_intent" not in previous.args:
        return None
    if (
        standalone.intent not in (Intent.UNSUPPORTED, Intent.CLARIFY)
        and standalone.confidence >= CONFIDENT
    ):
        return None
    missing = previous.args["missing"]
    pending = Intent(previous.args["pending_intent"])
    partial: dict[str, Any] = dict(previous.args.get("partial", {}))
    reply = req.utterance.source.strip()

    if missing == "person" or (missing == "ref" and previous.args.get("candidates")):
        choice = choose(reply, previous.options, previous.args.get("candidates", []))
        if choice is None:
            return None
        ambiguous = previous.args.get("ambiguous")
        if ambiguous:
            return parse_fn(
                _replace_first(previous_text, ambiguous, choice), previous_ctx, False
            )
        partial["ref"] = choice
        return plan(pending, partial, CONFIDENT)
    if missing == "confirm":
        return plan(pending, partial, CONFIDENT) if _YES.match(reply) else None
    if missing == "start":
        completed = parse_fn(f"{previous_text} {reply}", previous_ctx, False)
        return completed if completed.intent is pending else None
    if missing in _TEXT_SLOTS:
        partial[_TEXT_SLOTS[missing]] = reply.strip(" \"'")
        return plan(pending, partial, CONFIDENT)
    if missing in _PEOPLE_SLOTS:
        people = resolve_people(reply, ctx.directory)
        if people.empty:
            return None
        addresses_key, names_key = _PEOPLE_SLOTS[missing]
        partial[addresses_key], partial[names_key] = people.addresses, people.names
        if people.ambiguous:
            name, matches = people.ambiguous[0]
            return which_person(name, matches, pending, partial)
        return plan(pending, partial, CONFIDENT)
    if missing == "team_name":
        team = re.sub(r"(?i)^(?:the|in|to|on)\s+|\s+team$", "", reply).strip(" .")
        if not team:
            return None
        partial["team_name"] = team
        return plan(pending, partial, CONFIDENT)
    if missing == "ref" and pending is Intent.CRM_DEAL_MOVE:
        record = resolve_record(reply, ctx.directory, "deal")
        if record is None or record.ambiguous:
            return None
        partial["ref"] = record.name
        return plan(pending, partial, CONFIDENT)
    return None
