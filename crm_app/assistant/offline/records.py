"""Resolving a phrase such as "the Acme deal" or "John Smith's record" to a CRM record."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crm_app.assistant.intents import Directory
from crm_app.assistant.offline.directory import name_key

_ENTITY_WORDS: dict[str, str] = {
    "deal": "deal",
    "deals": "deal",
    "opportunity": "deal",
    "opportunities": "deal",
    "opp": "deal",
    "contact": "contact",
    "contacts": "contact",
    "person": "contact",
    "company": "company",
    "companies": "company",
    "account": "company",
    "accounts": "company",
    "organisation": "company",
    "organization": "company",
    "client": "company",
    "customer": "company",
}
_NOISE = re.compile(
    r"\b(?:the|a|an|my|our|this|that|record|records|card|profile|page|entry|details|info|information|crm|in|on)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?:'s|’s|s')(?=\s|$)")


@dataclass
class Record:
    """A CRM record reference: its entity (when known) and its canonical or typed name."""

    entity: str | None
    name: str
    candidates: list[str] = field(default_factory=list)
    known: bool = False

    @property
    def ambiguous(self) -> bool:
        """True when the phrase matched several records."""
        return len(self.candidates) > 1


def entity_in(phrase: str) -> str | None:
    """The CRM entity a phrase names explicitly ("deal", "contact", "company"...)."""
    for word in re.findall(r"[\w']+", phrase.lower()):
        if word in _ENTITY_WORDS:
            return _ENTITY_WORDS[word]
    return None


def bare_name(phrase: str) -> str:
    """``phrase`` without entity words, articles and possessives."""
    words = [
        word
        for word in _POSSESSIVE.sub("", phrase).split()
        if word.lower().strip(",.:;") not in _ENTITY_WORDS
    ]
    text = _NOISE.sub(" ", " ".join(words))
    return " ".join(text.split()).strip(" ,.:;!?-'\"")


def _pick(entity: str, typed: str, found: list[str]) -> Record:
    if len(found) == 1:
        return Record(entity, found[0], known=True)
    if len(found) > 1:
        return Record(entity, typed, candidates=found)
    return Record(entity, typed)


def resolve_record(
    phrase: str, directory: Directory, entity: str | None = None
) -> Record | None:
    """The record ``phrase`` refers to, or None when it names nothing.

    With an entity (said in the phrase or passed in) the lookup is limited to it; a
    name that matches nothing is kept as typed for the CRM tool to report. Without
    one, an exact name wins, then a single partial match among contacts, companies
    and deals, in that order.
    """
    entity = entity or entity_in(phrase)
    name = bare_name(phrase)
    if not name:
        return None
    if entity == "deal":
        return _pick("deal", name, directory.find_deals(name))
    if entity == "contact":
        return _pick("contact", name, [p.name for p in directory.find_contacts(name)])
    if entity == "company":
        return _pick("company", name, directory.find_companies(name))
    found = {
        "contact": [p.name for p in directory.find_contacts(name)],
        "company": directory.find_companies(name),
        "deal": directory.find_deals(name),
    }
    key = name_key(name)
    for kind, names in found.items():
        exact = [n for n in names if name_key(n) == key]
        if exact:
            return _pick(kind, name, exact)
    for kind, names in found.items():
        if names:
            return _pick(kind, name, names)
    return None
