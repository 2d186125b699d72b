"""Who a message is about: senders to search for, recipients to resolve, directory look-ups, unnamed recipients."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from crm_app.assistant.card_model import Card
from crm_app.services import crm
from crm_app.services.assistant.registry import UserTools
from crm_app.services.assistant.turn import NeedsChoice, TurnFailed
from crm_app.services.directory import CrmDirectory

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EMAIL_ID_ARGUMENTS = ("message_id", "email_id", "messageid")
REPLY_ALL_ARGUMENTS = ("reply_all", "replyAll", "all")


async def directory_lookup(tools: UserTools, name: str) -> list[tuple[str, str]]:
    """(name, address) pairs from the Microsoft 365 directory, when the user's server can look people up."""
    result = await tools.run_if_offered("directory.people", {"query": name})
    if result is None or not result.ok or not isinstance(result.data, dict):
        return []
    out = []
    for p in result.data.get("people") or result.data.get("value") or []:
        addr = p.get("address") or p.get("mail") or p.get("email")
        if addr:
            out.append((p.get("display_name") or p.get("displayName") or p.get("name") or addr, addr))
    return out


async def resolve_sender(tools: UserTools, args: dict[str, Any]) -> tuple[list[str], str]:
    """Sender addresses for a mail search, from an address, a CRM name or a company's contacts."""
    if args.get("sender"):
        return [args["sender"]], args["sender"]
    if args.get("sender_company"):
        people = await asyncio.to_thread(CrmDirectory().contacts_of_company, args["sender_company"])
        addresses = [e for p in people for e in p.emails]
        if not addresses:
            raise TurnFailed(f"I found no contacts with email addresses at {args['sender_company']} in the CRM.")
        return addresses, f"{args['sender_company']}'s contacts"
    if args.get("sender_name"):
        name = args["sender_name"]
        people = await asyncio.to_thread(CrmDirectory().find_contacts, name)
        if len(people) == 1 and people[0].email:
            return list(people[0].emails), people[0].name
        directory = await directory_lookup(tools, name)
        if len(directory) == 1:
            return [directory[0][1]], directory[0][0]
        return [], name
    return [], ""


async def resolve_people(tools: UserTools, addresses: list[str], names: list[str]) -> tuple[list[str], list[str]]:
    """Addresses for names (CRM first, then the Microsoft 365 directory); returns (addresses, unresolved)."""
    out = [a.lower() for a in addresses]
    unresolved = []
    for name in names:
        people = await asyncio.to_thread(CrmDirectory().find_contacts, name)
        if len(people) == 1 and people[0].email:
            out.append(people[0].email)
            continue
        if len(people) > 1:
            raise TurnFailed(f"“{name}” matches several contacts: " + "; ".join(p.label() for p in people[:5])
                             + ". Say which one, or use the address.")
        found = await directory_lookup(tools, name.removeprefix("the "))
        exact = [f for f in found if f[0].lower() in (name.lower(), name.lower().removeprefix("the "))]
        if len(found) > 1 and len(exact) != 1:
            raise NeedsChoice(name, found)
        if found:
            out.append((exact or found)[0][1])
        else:
            unresolved.append(name)
    return list(dict.fromkeys(out)), unresolved


def unnamed_recipients(user_text: str, recipients: list[str], also_named: set[str]) -> list[str]:
    """Recipients the user's message doesn't account for: not typed, not a CRM contact or group they named."""
    text = user_text.lower()
    words = set(re.findall(r"[a-z0-9']+", text))
    known = crm.contacts_by_emails([r for r in recipients if "@" in r])
    out = []
    for r in recipients:
        address = (EMAIL_RE.findall(r) or [r])[0].lower()
        if address in text or address in {a.lower() for a in also_named}:
            continue
        contact = known.get(address)
        names = {contact["first_name"].lower(), contact["last_name"].lower()} if contact else set()
        local = {p for p in re.split(r"[._+-]", address.split("@")[0]) if len(p) > 2}
        if names & words or (not contact and local and local <= words):
            continue
        out.append(address)
    return out


async def answered_recipients(user_id: int, args: dict[str, Any], known: list[Card]) -> str:
    """Who an action on an existing email (a reply) reaches: its sender, and everyone on it for reply-all.

    The model names only the email's id, so the card would otherwise show no recipient at all.
    `known` holds the email cards this conversation has shown.
    """
    message_id = next((str(args[k]) for k in EMAIL_ID_ARGUMENTS if args.get(k)), "")
    if not message_id:
        return ""
    card = next((c for c in known if c.kind == "email" and c.id == message_id), None)
    if card is None:
        return "the people on an email not shown in this conversation"
    people = [card.from_address]
    if any(str(args.get(k)).lower() == "true" for k in REPLY_ALL_ARGUMENTS):
        from crm_app.microsoft.vault import connection_of

        connection = await asyncio.to_thread(connection_of, user_id)
        own = (connection.account_email or "").lower() if connection else ""
        people += [a for a in EMAIL_RE.findall(f"{card.to}, {card.cc}") if a.lower() != own]
    return ", ".join(dict.fromkeys(p for p in people if p))


def first_name_of(address: str) -> str:
    """The CRM contact's first name for an address, or ""."""
    found = crm.contacts_by_emails([address])
    return next(iter(found.values()))["first_name"] if found else ""
