"""Rules for writing CRM records: creating, updating and deleting contacts, companies and deals.

Stage words: ``new`` is *lead*; ``qualification`` *qualified*; ``quote``/``proposal
sent`` *proposal*; ``negotiating``/``closing``/``contract`` *negotiation* (a deal being
closed is still being negotiated); ``closed won``/``signed``/``win`` *won*;
``closed lost``/``dead`` *lost*.
"""

from __future__ import annotations

import re
from typing import Any

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import (
    CONFIDENT,
    Request,
    clarify,
    plan,
)
from crm_app.assistant.offline.dates import extract
from crm_app.assistant.offline.people import EMAIL_PATTERN
from crm_app.assistant.offline.records import Record, entity_in, resolve_record

STAGE_SYNONYMS: dict[str, str] = {
    "lead": "lead",
    "new": "lead",
    "qualified": "qualified",
    "qualification": "qualified",
    "qualify": "qualified",
    "proposal": "proposal",
    "proposal sent": "proposal",
    "quote": "proposal",
    "quoted": "proposal",
    "quote sent": "proposal",
    "negotiation": "negotiation",
    "negotiations": "negotiation",
    "negotiating": "negotiation",
    "closing": "negotiation",
    "contract": "negotiation",
    "won": "won",
    "closed won": "won",
    "closed-won": "won",
    "close won": "won",
    "win": "won",
    "signed": "won",
    "lost": "lost",
    "closed lost": "lost",
    "closed-lost": "lost",
    "dead": "lost",
    "lose": "lost",
}
STAGE = (
    "(?P<stage>"
    + "|".join(sorted((re.escape(s) for s in STAGE_SYNONYMS), key=len, reverse=True))
    + ")"
)

def stage_of(word: str) -> str:
    return STAGE_SYNONYMS[word]



_CREATE = re.compile(
    r"^(?:create|add|new|make|register|set up|enter|save|insert|put in|open)(?: a| an)?(?: new)? "
    r"(?P<entity>contact|person|company|account|organi[sz]ation|client|customer|deal|opportunity)\b(?: ?:)?(?: (?:called|named|for)\b)? ?(?P<rest>.*)$"
    r"|^new (?P<entity2>contact|company|account|deal|opportunity)\b(?: ?:)?(?: (?:called|named)\b)? ?(?P<rest2>.*)$"
)
_ADD_TO_CRM = re.compile(
    r"^(?:add|save|put|enter|create) (?P<rest>.+?) (?:(?:to|in|into) (?:the |my )?(?:crm|contacts|address book)"
    r"|as (?:a |an )?(?:new )?contact(?: (?:in|to) (?:the )?crm)?)\b(?P<tail>.*)$"
)
_ENTITY_NAMES = {
    "person": "contact",
    "account": "company",
    "organisation": "company",
    "organization": "company",
    "client": "company",
    "customer": "company",
    "opportunity": "deal",
}
_PHONE = re.compile(
    r"(?:(?:phone|tel|telephone|mobile|cell|number)(?: number)?(?: is)?:? )?(?P<p>\+?\d[\d ()-]{5,}\d)"
)
_COMPANY = re.compile(
    r"\b(?:at|from|of|with company|company|works at|working at|employed at)\b (?P<c>[^,()]+?)(?=,| to | with | and |\(|$)",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"\b(?:title|job title|role|position)(?: is)?:? (?P<t>[^,]+?)(?=,| with | at |$)",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"\b(?:domain|website|site|url|web site)(?: is)?:? (?P<d>[\w.-]+\.[a-z]{2,})",
    re.IGNORECASE,
)
_INDUSTRY = re.compile(
    r"\b(?:in (?:the )?(?P<i>[\w -]+?) (?:industry|sector)|industry(?: is)?:? (?P<i2>[\w -]+))",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:\b(?:worth|valued at|value(?: of)?|amount(?: of)?|for|of|at|size(?: of)?)\b ?|(?=[$€£]))"
    r"(?P<cur>[$€£])?(?P<num>\d[\d,]*(?:\.\d+)?) ?(?P<mult>k|m|thousand|million|mil)?\b(?: ?(?P<cur2>usd|eur|gbp|dollars|euros|pounds))?",
    re.IGNORECASE,
)
_CURRENCIES = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "dollars": "USD",
    "euros": "EUR",
    "pounds": "GBP",
}
_NAME_STOP = re.compile(
    r"[,(]| (?:at|from|with|of|who|whose|her|his|their|to|in|phone|email|works)\b",
    re.IGNORECASE,
)
_DEAL_TITLE_STOP = re.compile(
    r" (?:for|with|at|worth|valued|in|from|of|amount)\b|[,(]", re.IGNORECASE
)
_FIELD = (
    r"(?P<field>phone number|phone|mobile number|mobile|number|email address|email|e-mail|job title|title|role|position|"
    r"amount|value|deal size|size|close date|closing date|expected close date|expected close|company|employer|name|domain|website|industry)"
)
_UPDATE = [
    re.compile(
        rf"^(?:update|change|set|edit|modify|correct|fix|make|push|move|bring) (?:the )?{_FIELD} (?:of|for|on) (?P<ref>.+?) (?:to|as|=|back to|out to|forward to) (?P<value>.+)$"
    ),
    re.compile(
        rf"^(?:update|change|set|edit|modify|correct|fix|make) (?P<ref>.+?)(?:'s|s')? {_FIELD} (?:to|as|=) (?P<value>.+)$"
    ),
    re.compile(rf"^(?P<ref>.+?)(?:'s|s') (?:new )?{_FIELD} is (?:now )?(?P<value>.+)$"),
    re.compile(r"^(?P<ref>.+?) is (?:now )?(?P<field>worth) (?P<value>.+)$"),
]
_RENAME = re.compile(r"^rename (?P<ref>.+?) (?:to|as) (?P<value>.+)$")
_FIELD_NAMES = {
    "phone number": "phone",
    "phone": "phone",
    "mobile number": "phone",
    "mobile": "phone",
    "number": "phone",
    "email address": "email",
    "email": "email",
    "e-mail": "email",
    "job title": "title",
    "title": "title",
    "role": "title",
    "position": "title",
    "amount": "amount",
    "value": "amount",
    "deal size": "amount",
    "size": "amount",
    "close date": "close_date",
    "closing date": "close_date",
    "expected close date": "close_date",
    "expected close": "close_date",
    "company": "company",
    "employer": "company",
    "name": "name",
    "domain": "domain",
    "website": "domain",
    "industry": "industry",
    "worth": "amount",
}
_DELETE = re.compile(r"^(?:delete|remove|erase|get rid of|drop) (?P<phrase>.+?)(?: (?:from|in|out of) (?:the |my )?(?:crm|contacts))?$")


def record_or_question(
    record: Record | None, pending: Intent, partial: dict[str, Any], what: str
) -> Plan | None:
    if record is not None and record.ambiguous:
        return clarify(
            f"Several {what}s match “{record.name}”. Which one do you mean?",
            missing="ref",
            options=list(record.candidates),
            pending_intent=pending,
            partial=partial,
            candidates=list(record.candidates),
        )
    return None


def _amount(text: str) -> tuple[str, str | None] | None:
    for match in _AMOUNT.finditer(text):
        explicit = (
            match["cur"]
            or match["mult"]
            or match["cur2"]
            or re.match(r"(?i)worth|valued|value|amount|size|for \d", match.group())
        )
        if not explicit:
            continue
        number = float(match["num"].replace(",", ""))
        multiplier = (match["mult"] or "").lower()
        if multiplier in ("k", "thousand"):
            number *= 1_000
        elif multiplier in ("m", "million", "mil"):
            number *= 1_000_000
        value = f"{number:.2f}".rstrip("0").rstrip(".")
        currency = _CURRENCIES.get(match["cur"] or (match["cur2"] or "").lower())
        return value, currency
    return None


def _title_case(name: str) -> str:
    return name.title() if name == name.lower() else name


def _company(req: Request, typed: str) -> str:
    found = req.ctx.directory.find_companies(typed)
    return found[0] if len(found) == 1 else typed


def _contact_fields(req: Request, text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    email = EMAIL_PATTERN.search(text)
    if email:
        fields["email"] = email.group()
    phone = _PHONE.search(EMAIL_PATTERN.sub(" ", text))
    if phone:
        fields["phone"] = phone["p"].strip()
    title = _TITLE.search(text)
    if title:
        fields["title"] = title["t"].strip()
    cleaned = EMAIL_PATTERN.sub(" ", text)
    if phone:
        cleaned = cleaned.replace(phone.group(), " ")
    company = _COMPANY.search(cleaned)
    if company and not company["c"].strip().lower().startswith(
        ("her ", "his ", "their ", "the crm")
    ):
        fields["company"] = _company(req, company["c"].strip(" .,'\""))
    stop = _NAME_STOP.search(" " + cleaned.strip())
    name = (" " + cleaned.strip())[: stop.start()] if stop else cleaned
    name = re.sub(r"^\s*(?:called|named|for)\s+", "", name).strip(" ,:;.()")
    parts = name.split()
    if parts:
        fields["first_name"] = _title_case(parts[0])
        if len(parts) > 1:
            fields["last_name"] = _title_case(" ".join(parts[1:]))
    if "company" not in fields and "," in cleaned:
        leftovers = [p.strip(" .()") for p in cleaned.split(",")[1:]]
        leftovers = [
            p
            for p in leftovers
            if p
            and not re.search(r"\d|@|\b(?:her|his|email|phone)\b", p, re.IGNORECASE)
        ]
        if leftovers:
            fields["company"] = _company(req, leftovers[-1])
    return fields


def _company_fields(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    name_end = re.search(r" (?:with|in the|in|,|which|that|domain)\b|,", text)
    name = (text[: name_end.start()] if name_end else text).strip(" ,.:")
    if name:
        fields["name"] = name
    domain = _DOMAIN.search(text)
    if domain:
        fields["domain"] = domain["d"]
    industry = _INDUSTRY.search(text)
    if industry:
        fields["industry"] = (industry["i"] or industry["i2"]).strip()
    return fields


def _deal_fields(req: Request, text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    named = re.match(r"^(?P<c>[^,]+?) (?:called|named|titled) (?P<t>.+)$", text, re.IGNORECASE)
    if named and req.ctx.directory.find_companies(named["c"]):
        fields["company"] = _company(req, named["c"])
        text = named["t"]
    stop = _DEAL_TITLE_STOP.search(text)
    title = (text[: stop.start()] if stop else text).strip(" ,.:")
    if title:
        fields["title"] = title
    company = re.search(
        r"\b(?:for|with|at)\b (?P<c>(?![$€£\d])[^,]+?)(?= worth\b| valued\b| for\b| at\b| in\b|,|$)",
        text[stop.start() :] if stop else "",
        re.IGNORECASE,
    )
    if company and "company" not in fields:
        fields["company"] = _company(req, company["c"].strip())
    amount = _amount(text)
    if amount:
        fields["amount"] = amount[0]
        if amount[1]:
            fields["currency"] = amount[1]
    stage = re.search(rf"\b(?:in|at|stage) {STAGE}\b", text.lower())
    if stage:
        fields["stage"] = stage_of(stage["stage"])
    return fields


def create(req: Request) -> Plan | None:
    """ "Create a contact Jane Roe jane@roe.io at Roe Inc", "create a deal … for Roe Inc worth $20,000"."""
    n = req.n
    match = _CREATE.match(n)
    if match:
        entity_word = match["entity"] or match["entity2"]
        group = "rest" if match["entity"] else "rest2"
        entity = _ENTITY_NAMES.get(entity_word, entity_word)
        text = req.original(match.start(group), len(n)) if match[group] else ""
    else:
        added = _ADD_TO_CRM.match(n)
        if not added:
            return None
        entity = "contact"
        text = req.original(added.start("rest"), added.end("rest"))
        tail = (
            req.original(added.start("tail"), added.end("tail"))
            if added["tail"].strip()
            else ""
        )
        if tail:
            text = f"{text}, {tail}"
    fields: dict[str, Any]
    if entity == "contact":
        fields = _contact_fields(req, text)
        if "first_name" not in fields:
            return clarify(
                "What is the new contact's name?",
                missing="fields",
                pending_intent=Intent.CRM_CREATE,
                partial={"entity": entity, "fields": fields},
            )
    elif entity == "company":
        fields = _company_fields(text)
        if "name" not in fields:
            return clarify(
                "What is the new company called?",
                missing="fields",
                pending_intent=Intent.CRM_CREATE,
                partial={"entity": entity},
            )
    else:
        fields = _deal_fields(req, text)
        if "title" not in fields:
            return clarify(
                "What is the new deal called?",
                missing="fields",
                pending_intent=Intent.CRM_CREATE,
                partial={"entity": entity, "fields": fields},
            )
    return plan(Intent.CRM_CREATE, {"entity": entity, "fields": fields}, CONFIDENT)


def _field_value(req: Request, field: str, value: str) -> str:
    if field == "amount":
        amount = _amount("worth " + value)
        return amount[0] if amount else value
    if field == "close_date":
        when = extract(value.lower(), req.now, "future")
        if when.day is not None:
            return when.day.isoformat()
    return value


def update(req: Request) -> Plan | None:
    """ "Update John Smith's phone to …", "set the amount of the Acme deal to 150000", "rename …"."""
    n = req.n
    rename = _RENAME.match(n)
    matches = [(p.match(n), False) for p in _UPDATE] + [(rename, True)]
    for match, is_rename in matches:
        if not match:
            continue
        phrase = req.original(match.start("ref"), match.end("ref"))
        record = resolve_record(phrase, req.ctx.directory)
        if record is None:
            continue
        question = record_or_question(
            record, Intent.CRM_UPDATE, {"entity": record.entity}, "record"
        )
        if question:
            return question
        value = req.original(match.start("value"), match.end("value"))
        if is_rename:
            field = "title" if record.entity == "deal" else "name"
        else:
            field = _FIELD_NAMES[match["field"]]
            if field == "name" and record.entity == "deal":
                field = "title"
            if field == "amount" and record.entity != "deal":
                continue
        fields = {field: _field_value(req, field, value)}
        return plan(
            Intent.CRM_UPDATE,
            {"entity": record.entity, "ref": record.name, "fields": fields},
            CONFIDENT,
        )
    return None


def delete(req: Request) -> Plan | None:
    """ "Delete the contact Ethan Brooks"."""
    match = _DELETE.match(req.n)
    if not match:
        return None
    phrase = req.original(match.start("phrase"), match.end("phrase"))
    entity = entity_in(phrase)
    record = resolve_record(phrase, req.ctx.directory)
    if record is None or (entity is None and not record.known):
        return None
    question = record_or_question(
        record, Intent.CRM_DELETE, {"entity": record.entity}, "record"
    )
    if question:
        return question
    return plan(
        Intent.CRM_DELETE, {"entity": record.entity, "ref": record.name}, CONFIDENT
    )
