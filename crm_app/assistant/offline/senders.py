"""The sender of the email shown, as a CRM contact: "create a contact for the sender", "add him to the CRM"."""

from __future__ import annotations

import re
from email.utils import parseaddr

from crm_app.assistant.intents import Intent, Plan, ResultRef
from crm_app.assistant.offline.common import CONFIDENT, Request, clarify, plan

_SENDER_WORDS = (
    r"(?:the sender|this sender|that sender|the author|the person who (?:sent|wrote) (?:it|this|that|the email)"
    r"|that person|this person|this guy|that guy|him|her|them)"
)
_NEW_CONTACT = r"(?:a |an )?(?:new )?(?:crm )?(?:contact|person|record)"
_CONTACT_FOR_SENDER = re.compile(
    rf"^(?:create|add|make|save|register|set up|enter|new) {_NEW_CONTACT}(?: (?:for|from|of))? {_SENDER_WORDS}$"
    rf"|^(?:add|save|put|enter|create|make|register) {_SENDER_WORDS} (?:as|to|into|in)(?: a| an| the| my)?(?: new)?"
    r" (?:contact|contacts|crm|crm contact)(?: (?:in|to) (?:the )?crm)?$"
)


def _split_name(name: str, address: str) -> tuple[str, str]:
    if not name or "@" in name:
        name = re.sub(r"[._+-]+", " ", address.split("@")[0]).title()
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def _sender_of(item: ResultRef) -> tuple[str, str]:
    name, address = parseaddr(item.sender)
    return name.strip(), address.strip()


def _ask_for_contact(question: str, options: list[str]) -> Plan:
    return clarify(
        question,
        missing="fields",
        pending_intent=Intent.CRM_CREATE,
        partial={"entity": "contact"},
        options=options,
    )


def contact_for_sender(req: Request) -> Plan | None:
    """A new contact from the open email's sender, or a pointer to the record when the CRM has them."""
    if not _CONTACT_FOR_SENDER.match(req.n):
        return None
    emails = [item for item in req.ctx.last_results if item.kind == "email"]
    if not emails:
        return _ask_for_contact(
            "Whose contact should I create? Open an email first and I'll use its sender, or give a name and address.",
            ["Show my most recent email", "Create a contact Jane Roe jane@roe.io"],
        )
    if len(emails) > 1:
        return clarify(
            "Which email's sender do you mean?",
            missing="ref",
            options=[f"{n + 1}. {item.label} — {item.sender or 'unknown sender'}" for n, item in enumerate(emails)],
            candidates=[item.id for item in emails],
        )
    name, address = _sender_of(emails[0])
    if not address:
        return _ask_for_contact(
            "That email doesn't say who sent it. What are the contact's name and email address?", []
        )
    first, last = _split_name(name, address)
    for person in req.ctx.directory.find_contacts(f"{first} {last}".strip()):
        if address.lower() in (e.lower() for e in person.emails):
            return clarify(
                f"{person.name} <{address}> is already in the CRM. Shall I open the contact?",
                missing="confirm",
                pending_intent=Intent.CRM_GET,
                partial={"entity": "contact", "ref": person.name},
                options=[f"Open the contact {person.name}"],
            )
    fields = {"first_name": first, "last_name": last, "email": address}
    return plan(Intent.CRM_CREATE, {"entity": "contact", "fields": fields}, CONFIDENT)
