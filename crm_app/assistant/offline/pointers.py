"""Pointers at what the conversation showed last: ordinals, numbers, labels, pronouns, and the item each picks."""

from __future__ import annotations

import re
from typing import Any

from crm_app.assistant.intents import Plan, ResultRef
from crm_app.assistant.offline.common import Request, clarify
from crm_app.assistant.offline.directory import name_key
from crm_app.assistant.offline.vocab import ORDINALS

Found = tuple[str, re.Match[str]]

_NOUN = (
    r"(?:one|email|mail|message|item|result|file|document|event|meeting|record|entry)"
)


ORDINAL_WORDS = "|".join(
    list(ORDINALS) + ["last", "latest", "final", "bottom", "top", "previous"]
)


_ORDINAL = re.compile(
    rf"\b(?:the )?(?P<ord>{ORDINAL_WORDS}) (?P<noun>{_NOUN})s?\b"
    rf"|^(?:what about |how about |(?:open|read|show|display)(?: me)? )?(?:the )?(?P<ord2>{ORDINAL_WORDS})$"
)


_NUMBERED = re.compile(
    r"\b(?:email|message|mail|result|item|file|number|no|#) ?(?P<num>\d{1,2})\b"
)


_PRONOUN = re.compile(
    r"\b(?:(?:that|this|the|said) (?:email|mail|message|file|document|event|meeting|record|one)|it|them)\b"
    r"|\b(?:that|this)\b(?! (?:week|weekend|month|year|morning|afternoon|evening|\w+day)\b)"
)


_FROM_LABEL = re.compile(
    r"\b(?:the|that) (?:(?:whole|full|entire|complete) )?(?:email|message|mail|one) (?:from|by|about) (?P<who>[\w' .-]+?)(?=\s*(?:\?|$| and | saying| to | in | into | against | on ))"
    r"|\b(?P<owner>[\w-]+(?: [\w-]+)?)(?:'s|s') (?:email|message|mail)\b"
    r"|\bthe (?P<topic>(?!whole\b|full\b|entire\b|complete\b|same\b|other\b)[\w-]+) (?:email|message|mail|one)\b(?! from\b)"
)


NOT_NAMES = frozenset(
    {
        "to",
        "the",
        "of",
        "on",
        "for",
        "at",
        "reply",
        "respond",
        "open",
        "read",
        "forward",
        "log",
        "show",
    }
)


_NOTHING_SHOWN = "I don't have an earlier result in this conversation to refer to."


BY_LABEL = re.compile(r"(?P<who>.+)")


def label_hits(results: list[ResultRef], words: str) -> int:
    """How many results' labels hold every one of ``words``."""
    wanted = [w for w in name_key(words).split() if w not in NOT_NAMES]
    if not wanted:
        return 0
    return sum(all(w in name_key(item.label) for w in wanted) for item in results)


def reference_in(text: str) -> tuple[str, re.Match[str]] | None:
    for name, pattern in (
        ("ordinal", _ORDINAL),
        ("number", _NUMBERED),
        ("label", _FROM_LABEL),
        ("pronoun", _PRONOUN),
    ):
        match = pattern.search(text)
        if match:
            return name, match
    return None


def result_ref(results: list[ResultRef], index: int) -> dict[str, Any]:
    item = results[index]
    return {"kind": item.kind, "index": index, "id": item.id}


def pick(
    req: Request, found: tuple[str, re.Match[str]] | None, kinds: tuple[str, ...]
) -> int | Plan:
    """The index of the item meant, or a question when that is unclear."""
    results = req.ctx.last_results
    candidates = [i for i, item in enumerate(results) if item.kind in kinds] or list(
        range(len(results))
    )
    if found is not None:
        name, match = found
        if name == "ordinal":
            word = match["ord"] or match["ord2"]
            if word in ("last", "latest", "final", "bottom", "previous"):
                return candidates[-1]
            if word == "top":
                return candidates[0]
            position = ORDINALS[word]
            if position < len(candidates):
                return candidates[position]
            return which_result(req, candidates, f"I only showed {len(candidates)} item(s).")
        if name == "number":
            position = int(match["num"]) - 1
            if 0 <= position < len(candidates):
                return candidates[position]
            return which_result(req, candidates, f"I only showed {len(candidates)} item(s).")
        if name == "label":
            wanted = [
                w
                for w in name_key(match["who"] or match["owner"] or match["topic"]).split()
                if w not in NOT_NAMES
            ]
            hits = [
                i
                for i in candidates
                if all(w in name_key(results[i].label) for w in wanted)
            ]
            if len(hits) == 1:
                return hits[0]
            return which_result(req, candidates, "")
    if len(candidates) == 1:
        return candidates[0]
    return which_result(req, candidates, "")


def which_result(req: Request, candidates: list[int], lead: str) -> Plan:
    results = req.ctx.last_results
    question = (lead + " Which one do you mean?").strip()
    return clarify(
        question,
        missing="ref",
        options=[f"{n + 1}. {results[i].label}" for n, i in enumerate(candidates)],
        candidates=[results[i].id for i in candidates],
    )


def nothing_to_refer_to(what: str) -> Plan:
    return clarify(
        f"{_NOTHING_SHOWN} Which {what} do you mean?",
        missing="ref",
        options=["Show my most recent email", "Show me emails from the last 3 days"]
        if what == "email"
        else ["List my recent OneDrive files"],
    )


def pick_shown(req: Request, found: tuple[str, re.Match[str]] | None, kind: str) -> int | Plan:
    """`pick` among the results shown, or "nothing to refer to" when none are."""
    if not req.ctx.last_results:
        return nothing_to_refer_to(kind)
    return pick(req, found, (kind,))


def newest_email(found: tuple[str, re.Match[str]]) -> bool:
    """True for "my latest email"-style words, which ask for a search rather than point back."""
    name, match = found
    return (
        name == "ordinal"
        and match["ord"] in ("last", "latest")
        and match["noun"] not in (None, "one")
    )


def ordinal_position(found: tuple[str, re.Match[str]] | None) -> int | None:
    """The 0-based position a counting ordinal ("the second one") names, else None."""
    if found is None or found[0] != "ordinal":
        return None
    word = found[1]["ord"] or found[1]["ord2"]
    return ORDINALS.get(word)
