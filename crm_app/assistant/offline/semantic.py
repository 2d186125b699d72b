"""The semantic fallback: a phrasing no rule knows, mapped to the nearest capability.

Each capability has a few example requests and a *lead*, the words its own rule keys
on ("emails", "what is on my calendar"). A message no rule understood is embedded
(:mod:`embedding`) and compared with every example; when the nearest capability is
close enough, the message is restated behind that capability's lead and parsed again,
so the capability's own slot extraction reads the dates, people and words. The result
counts only when the restated parse lands on that capability. Below the threshold the
fallback abstains, and the refusal names the nearest capabilities as suggestions.

A side-effect capability needs a closer match, and what it yields is an ordinary
side-effect plan: the assistant still shows its confirmation card before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crm_app.assistant.intents import Intent, Plan, is_side_effect
from crm_app.assistant.offline import embedding
from crm_app.assistant.offline.common import LIKELY, Request

THRESHOLD = 0.5
SIDE_EFFECT_THRESHOLD = 0.55
SUGGESTION_COUNT = 3


@dataclass(frozen=True)
class Capability:
    """One thing the assistant can do, as the fallback knows it."""

    intent: Intent
    lead: str
    suggestion: str
    examples: tuple[str, ...]


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        Intent.MAIL_SEARCH,
        "emails",
        "Show me emails from the last 3 days",
        (
            "find the email conversation about the contract",
            "look for messages about the invoice",
            "anything in my inbox about pricing",
            "show the mail thread with the supplier",
            "what came in from the customer this week",
            "unread messages from yesterday",
            "search my mailbox for the proposal",
        ),
    ),
    Capability(
        Intent.CALENDAR_LIST,
        "what is on my calendar",
        "What's on my calendar tomorrow?",
        (
            "what meetings do i have today",
            "show my schedule for the week",
            "anything going on thursday morning",
            "am i busy this afternoon",
            "my agenda for tomorrow",
            "what appointments are coming up",
        ),
    ),
    Capability(
        Intent.CALENDAR_FIND_TIMES,
        "find a free slot",
        "When am I free next week for an hour?",
        (
            "when am i available on thursday",
            "find a free slot for a call",
            "do i have an opening before lunch",
            "when could we meet next week",
        ),
    ),
    Capability(
        Intent.CALENDAR_CREATE,
        "schedule a meeting",
        "Schedule a meeting with the team next Monday at 2pm",
        (
            "book a call with the client tomorrow at 3pm",
            "put a meeting in my diary on friday at 10",
            "set up half an hour with the supplier",
            "block time on my calendar for planning",
        ),
    ),
    Capability(
        Intent.FILES_RECENT,
        "show my recent files",
        "List my recent OneDrive files",
        (
            "which documents did i edit lately",
            "files i opened recently",
            "documents i touched this week",
            "my latest documents",
        ),
    ),
    Capability(
        Intent.FILES_SEARCH,
        "find the file",
        "Find the budget spreadsheet in OneDrive",
        (
            "search onedrive for the budget",
            "look for the presentation in my drive",
            "where is the spreadsheet about sales",
            "find my document about the project plan",
        ),
    ),
    Capability(
        Intent.SHAREPOINT_SITES,
        "list my sharepoint sites",
        "List my SharePoint sites",
        (
            "which sharepoint sites can i see",
            "show the team sites",
            "what sites do we have",
        ),
    ),
    Capability(
        Intent.TEAMS_LIST,
        "list my teams",
        "Which Teams am I in?",
        (
            "what teams am i a member of",
            "show my microsoft teams",
        ),
    ),
    Capability(
        Intent.CRM_SEARCH,
        "show deals",
        "Show deals in negotiation",
        (
            "what is in my pipeline",
            "list the opportunities we are working on",
            "show the contacts we have at the customer",
            "which accounts are in the crm",
        ),
    ),
    Capability(
        Intent.HELP,
        "help",
        "What can you do?",
        (
            "what kind of things can you do for me",
            "what are you able to help with",
            "show me what i can ask",
        ),
    ),
)

Reparse = Callable[[str, Request], Plan]


@dataclass(frozen=True)
class _Index:
    encoder: Any
    vectors: Any
    owners: tuple[int, ...]


@lru_cache(maxsize=1)
def _index() -> _Index | None:
    encoder = embedding.model()
    if encoder is None:
        return None
    texts: list[str] = []
    owners: list[int] = []
    for position, capability in enumerate(CAPABILITIES):
        for example in (capability.suggestion.lower(), *capability.examples):
            texts.append(example)
            owners.append(position)
    return _Index(encoder, encoder.encode(texts), tuple(owners))


def ranked(text: str) -> list[tuple[Capability, float]]:
    """Every capability with its best similarity to ``text``, nearest first; [] without the model."""
    index = _index()
    if index is None or not text.strip():
        return []
    scores = index.vectors @ index.encoder.encode([text])[0]
    best: dict[int, float] = {}
    for owner, score in zip(index.owners, scores.tolist()):
        if score > best.get(owner, -1.0):
            best[owner] = score
    order = sorted(best.items(), key=lambda item: item[1], reverse=True)
    return [(CAPABILITIES[owner], score) for owner, score in order]


def _lands_on(result: Plan, intent: Intent) -> bool:
    if result.intent == intent:
        return True
    return result.intent == Intent.CLARIFY and result.args.get("pending_intent") == str(intent)


def nearest(req: Request, reparse: Reparse) -> Plan | None:
    """The plan of the nearest capability when it is near enough and its rule reads the message."""
    for capability, score in ranked(req.n)[:2]:
        needed = SIDE_EFFECT_THRESHOLD if is_side_effect(capability.intent) else THRESHOLD
        if score < needed:
            return None
        text = f"{capability.lead} {req.n}" if capability.intent != Intent.HELP else capability.lead
        result = reparse(text, req)
        if _lands_on(result, capability.intent):
            return Plan(
                intent=result.intent,
                args=result.args,
                confidence=min(result.confidence, LIKELY),
                question=result.question,
                options=result.options,
                suggestions=result.suggestions,
                explanation=result.explanation,
            )
    return None


def suggestions(req: Request, fallback: list[str]) -> list[str]:
    """Example requests of the capabilities nearest to the message (``fallback`` without the model)."""
    found = [capability.suggestion for capability, _ in ranked(req.n)[:SUGGESTION_COUNT]]
    return found or fallback[:SUGGESTION_COUNT]
