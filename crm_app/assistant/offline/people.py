"""Turning a phrase such as "John Smith and the finance team" into addresses and names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crm_app.assistant.intents import Directory, Person
from crm_app.assistant.offline.roles import by_role

EMAIL_PATTERN = re.compile(r"[\w.'+-]+@[\w-]+(?:\.[\w-]+)+")
_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bplus\b|/)\s*", re.IGNORECASE)
_GROUP_WORDS = frozenset(
    {
        "team",
        "group",
        "everyone",
        "everybody",
        "department",
        "dept",
        "staff",
        "colleagues",
        "squad",
        "all",
    }
)
_SELF = frozenset({"me", "myself", "i", "us", "we"})
_DETERMINERS = re.compile(r"^(?:the|my|our|your|to|with|and)\s+", re.IGNORECASE)
_COMPANY_PEOPLE = re.compile(
    r"^(?:(?:people|someone|anyone|everyone|folks|contacts|anybody|somebody) (?:at|from|in)\s+(?P<a>.+)"
    r"|(?P<b>.+?)(?P<possessive>'s|s'|')? (?:contacts|people|folks|team|staff|employees))$",
    re.IGNORECASE,
)


@dataclass
class People:
    """The outcome of resolving a phrase naming people."""

    addresses: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    ambiguous: list[tuple[str, list[Person]]] = field(default_factory=list)
    resolved: list[Person] = field(default_factory=list)

    @property
    def names_by_address(self) -> dict[str, str]:
        """The contact name behind each resolved address."""
        return {person.email: person.name for person in self.resolved if person.email}

    @property
    def empty_of_known(self) -> bool:
        """True when the phrase named no contact or company the CRM knows."""
        return not (self.resolved or self.companies or self.ambiguous)

    @property
    def empty(self) -> bool:
        """True when the phrase named nobody."""
        return not (self.addresses or self.names or self.companies or self.ambiguous)


def _strip_determiners(part: str) -> str:
    previous = None
    while previous != part:
        previous = part
        part = _DETERMINERS.sub("", part).strip()
    return part


def _group_name(part: str) -> str:
    """A group phrase as it goes into ``*_names``: "the finance team" -> "finance team", "the team" kept."""
    words = part.split()
    stripped = _strip_determiners(part)
    if (
        len(stripped.split()) <= 1
        and len(words) > 1
        and stripped.lower() in _GROUP_WORDS
    ):
        return part
    return stripped


def resolve_people(
    phrase: str, directory: Directory, allow_company: bool = False
) -> People:
    """Resolve every person in ``phrase`` against the CRM directory.

    Explicit addresses are kept as given. A name with one CRM match becomes that
    contact's primary address; with several it is reported as ambiguous; with none
    it stays a name for the tool resolver to look up. Group phrases ("the finance
    team") stay names. With ``allow_company``, a company ("Acme", "Acme's contacts",
    "people at Globex") is reported as a company.
    """
    result = People()
    for address in EMAIL_PATTERN.findall(phrase):
        if address.lower() not in (a.lower() for a in result.addresses):
            result.addresses.append(address)
    remainder = EMAIL_PATTERN.sub(" ", phrase)
    for raw_part in _SPLIT.split(remainder):
        part = raw_part.strip(" .,:;!?()\"'")
        if not part:
            continue
        lowered_words = set(part.lower().split())
        if not (lowered_words - _SELF - {"and", "both"}):
            continue
        if allow_company:
            company_phrase = _COMPANY_PEOPLE.match(part)
            if company_phrase:
                company_text = _strip_determiners(
                    company_phrase["a"] or company_phrase["b"]
                )
                found = directory.find_companies(company_text)
                if found or company_phrase["a"] or company_phrase["possessive"]:
                    result.companies.append(
                        found[0] if len(found) == 1 else company_text
                    )
                    continue
        if lowered_words & _GROUP_WORDS:
            result.names.append(_group_name(part))
            continue
        name = _strip_determiners(part)
        if name.lower().endswith("'s"):
            name = name[:-2]
        if not name:
            continue
        people = directory.find_contacts(name) or by_role(name, directory) or []
        primary = people[0].email if len(people) == 1 else None
        if primary is not None:
            result.resolved.append(people[0])
            if primary not in result.addresses:
                result.addresses.append(primary)
            continue
        if len(people) > 1:
            result.ambiguous.append((name, people))
            continue
        if allow_company:
            companies = directory.find_companies(name)
            if len(companies) == 1:
                result.companies.append(companies[0])
                continue
        result.names.append(name)
    return result
