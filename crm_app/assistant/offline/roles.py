"""People named by role and company ("the cfo at Globex", "the Acme contact", "Mr Smith")."""

from __future__ import annotations

import re

from crm_app.assistant.intents import Directory, Person
from crm_app.assistant.offline.directory import name_key, name_matches

_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|dr|prof)\.? (?=\S)", re.IGNORECASE)
_AT_COMPANY = re.compile(r"^(?P<role>.+?) (?:at|from|of|in|for) (?P<company>.+)$", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|our|their|my|your) ", re.IGNORECASE)
_ANYONE = frozenset({"contact", "contacts", "person", "guy", "rep", "people", "folks", "one"})
_POSSESSIVE = re.compile(r"(?:'s|s')$")


def _initials(title: str) -> str:
    return "".join(word[0] for word in name_key(title).split() if word not in ("of", "and"))


def title_matches(role: str, title: str | None) -> bool:
    """True when ``role`` names ``title``: its words start the title's words, or it is its initials."""
    if not title:
        return False
    key = name_key(role).replace(" ", "")
    return name_matches(role, title) or (len(key) >= 2 and key == _initials(title))


def _at_company(role: str, company: str, directory: Directory) -> list[Person] | None:
    company = _POSSESSIVE.sub("", company.strip())
    if len(directory.find_companies(company)) != 1:
        return None
    staff = directory.contacts_of_company(company)
    if name_key(role) in _ANYONE:
        return staff
    fitting = [person for person in staff if title_matches(role, person.title)]
    return fitting or None


def by_role(phrase: str, directory: Directory) -> list[Person] | None:
    """The contacts a role-and-company phrase names, or None when it names no role at a known company.

    "Mr Smith" is tried as "Smith". "<role> at <company>" and "<company> <role>" are both
    read; "contact" or "person" as the role means anyone at that company.
    """
    phrase = _DETERMINER.sub("", phrase.strip())
    honorific = _HONORIFIC.match(phrase)
    if honorific:
        people = directory.find_contacts(phrase[honorific.end():])
        return people or None
    at = _AT_COMPANY.match(phrase)
    if at:
        found = _at_company(at["role"], at["company"], directory)
        if found:
            return found
    words = phrase.split()
    for split in range(1, len(words)):
        found = _at_company(" ".join(words[split:]), " ".join(words[:split]), directory)
        if found:
            return found
    return None
