"""Rules for the CRM: notes, tasks, deal stages and finding records (writing records, and the stage words,
are in :mod:`crm_records`)."""

from __future__ import annotations

import re
from typing import Any

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import (
    CONFIDENT,
    LIKELY,
    Request,
    clarify,
    cut,
    plan,
)
from crm_app.assistant.offline.dates import extract
from crm_app.assistant.offline.periods import iso, search_range
from crm_app.assistant.offline.crm_records import STAGE, record_or_question, stage_of
from crm_app.assistant.offline.records import entity_in, resolve_record
from crm_app.assistant.offline.roles import by_role

_MOVE = [
    re.compile(
        rf"^(?:move|push|advance|set|mark|change|put|update|progress|bump|shift|take|flag)(?: the stage of)? (?P<deal>.+?)(?:'s)?(?: stage| status| phase)? "
        rf"(?:to|as|into|in|at|back to) (?:the )?(?:stage )?{STAGE}(?: stage| phase)?$"
    ),
    re.compile(
        rf"^(?:change|set|update) (?:the )?stage (?:of|for|on) (?P<deal>.+?) to {STAGE}(?: stage)?$"
    ),
    re.compile(
        r"^(?:we )?(?:have )?(?P<verb>lost|won|closed|signed)(?: the)? (?P<deal>.+?)(?: deal)?$"
    ),
    re.compile(
        rf"^(?P<deal>.+?) (?:is|was|has been|got|moved to|went to|goes|go|back to|- ?>|→|= ?>) (?:now )?(?:back )?(?:in |to )?{STAGE}$"
    ),
    re.compile(rf"^(?P<deal>.+?) is (?:dead|gone|over|done)(?: ?,| and)? (?:so )?(?:mark|move|set|put) it (?:as |to )?{STAGE}$"),
]
_NOTE = [
    re.compile(
        r"^(?:add|create|put|write|leave|make|log|attach|record|jot down|jot|save|drop|pin) (?:a |an |the |this )?(?:quick |new |short )?"
        r"note (?:to|on|for|against|about|in|under) (?P<target>.+?)(?P<marker> ?:| saying\b| that says\b| that\b| - | with the text\b| which says\b| reading\b|$)"
    ),
    re.compile(
        r"^note (?:to|on|for|about|against) (?P<target>.+?)(?P<marker> ?:| saying\b| that\b| - |$)"
    ),
    re.compile(
        r"^(?:jot down|note down|write down|record|log) (?:on|for|against|under) (?P<target>.+?)(?P<marker> that\b| ?:| - )"
    ),
]
_TASK = [
    re.compile(
        r"^remind me(?: (?P<when>(?:on |at |by |next |this |tomorrow|today|in )[\w :/.]+?))? (?:to|about|that) (?P<text>.+)$"
    ),
    re.compile(
        r"^(?:set|create|add|make) (?:a |an )?reminder (?:to|for|about) (?P<text>.+)$"
    ),
    re.compile(
        r"^(?:add|create|make|set|new|log|open|put) (?:a |an )?(?:new )?(?:follow-up |follow up )?(?:task|todo|action item|follow-up|follow up)"
        r"(?P<rest>.*)$"
    ),
    re.compile(r"^(?:task|todo)(?P<rest> ?:.*| (?:for|on) .+)$"),
]
_TASK_TARGET = re.compile(
    r"^ (?:to|on|for|against|under) (?P<target>.+?) ?(?::| - | saying\b)(?P<text>.+)$"
)
_TASK_TEXT = re.compile(r"^(?: ?:| to| that| saying| for)? ?(?P<text>.+)$")
_PLURAL_ENTITY = {
    "contacts": "contact",
    "people": "contact",
    "persons": "contact",
    "companies": "company",
    "accounts": "company",
    "clients": "company",
    "customers": "company",
    "organisations": "company",
    "organizations": "company",
    "deals": "deal",
    "opportunities": "deal",
    "pipeline": "deal",
    "activities": "activity",
    "activity": "activity",
    "notes": "activity",
    "tasks": "activity",
    "interactions": "activity",
}
_SEARCH_VERBS = re.compile(
    r"^(?:show|list|find|search|get|display|give me|see|what|which|who|any|all|my|open|recent|look up|look for|view|pull up|how many)\b"
)
_CRM_SEARCH = re.compile(
    r"^(?:search|look|find)(?: in| through)? (?:the |my )?crm (?:for )?(?P<q>.+)$"
)
_KNOW_AT = re.compile(
    r"^who (?:do we know|do i know|is our contact|are our contacts|works) (?:at|from|in) (?P<c>.+)$"
)
_AT_COMPANY = re.compile(r"\b(?:at|from|in|with|for) (?P<c>[\w&' .-]+?)$")
_NAMED = re.compile(r"\b(?:named|called|matching|like|with the name) (?P<q>.+)$")
_DETAIL = (
    r"(?:phone(?: number)?|number|email(?: address)?|e-mail address|title|job title|role|company|address|mobile(?: number)?|position)"
)
_CONTACT_OF = re.compile(r"^who is (?:the )?(?:contact|main contact|owner|person|buyer) (?:on|for|at) (?P<phrase>.+)$")
_CLOSE = re.compile(r"\b(?:clos(?:e|es|ing)|expected to close|due to close|close date)\b")
_STAGE_LIST = re.compile(rf"^(?:show |list |any |all )?(?:me )?(?:all )?(?:my |our |the )?(?:{STAGE} (?:deals|opportunities)|(?P<leads>leads))\b")
_COMPANY_FIRST = re.compile(r"^(?:any |all |show |list )?(?:me )?(?:the |our |my )?(?P<c>[\w&' .-]+?) (?:contacts|people)\b")
_GET = [
    re.compile(r"^who is (?P<phrase>.+)$"),
    re.compile(
        r"^(?:tell me about|what do we know about|what do you know about|info on|information on|details (?:of|on|for|about)) (?P<phrase>.+)$"
    ),
    re.compile(
        r"^what is (?:the )?(?:status|stage|amount|value|state|size) (?:of|on|for) (?P<phrase>.+)$"
    ),
    re.compile(
        r"^(?:how is|where are we (?:at )?with|where is) (?P<phrase>.+?)(?: going| doing)?$"
    ),
    re.compile(
        rf"^(?:what is )?(?P<phrase>.+?)(?:'s|s'|s) {_DETAIL}$"
    ),
    re.compile(rf"^what is (?:the )?{_DETAIL} (?:of|for|at) (?P<phrase>.+)$"),
    re.compile(r"^how much is (?P<phrase>.+?) worth$"),
    re.compile(r"^what stage is (?P<phrase>.+?)(?: (?:in|at))?$"),
    re.compile(r"^when (?:does|will|is|should) (?P<phrase>.+?) (?:close|closing|due to close|expected to close)$"),
    re.compile(r"^(?:give me |show me |get me |tell me )?(?:the )?(?:details|info|information) (?:of|on|for|about) (?P<phrase>.+)$"),
    re.compile(
        r"^(?:show|open|display|pull up|bring up|view|get|find|look up)(?: me)? (?P<phrase>.+?)(?:'s)?(?: (?:crm ))?(?: (?:record|card|profile|details|page|info|entry))?$"
    ),
]


def deal_move(req: Request) -> Plan | None:
    """ "Move the Acme deal to negotiation", "mark the Globex renewal as won", "we lost the Umbrella deal"."""
    n = req.n
    for index, pattern in enumerate(_MOVE):
        match = pattern.match(n)
        if not match:
            continue
        if index == 2:
            if (
                not re.search(r"\bdeal\b", n)
                and resolve_record(
                    req.original(match.start("deal"), match.end("deal")),
                    req.ctx.directory,
                    "deal",
                )
                is None
            ):
                continue
            verb = match["verb"]
            stage = "lost" if verb == "lost" else "won"
        else:
            stage = stage_of(match["stage"])
        if index >= 3 and not (
            re.search(r"\bdeal\b", match["deal"])
            or req.ctx.directory.find_deals(match["deal"])
        ):
            continue
        phrase = req.original(match.start("deal"), match.end("deal"))
        record = resolve_record(phrase, req.ctx.directory, "deal")
        if (
            index == 0
            and record is not None
            and not record.known
            and entity_in(phrase) != "deal"
        ):
            continue
        partial = {"entity": "deal", "stage": stage}
        if record is None:
            return clarify(
                f"Which deal should I move to {stage}?",
                missing="ref",
                pending_intent=Intent.CRM_DEAL_MOVE,
                partial=partial,
                options=["List my deals"],
            )
        question = record_or_question(record, Intent.CRM_DEAL_MOVE, partial, "deal")
        if question:
            return question
        return plan(
            Intent.CRM_DEAL_MOVE,
            {"entity": "deal", "ref": record.name, "stage": stage},
            CONFIDENT,
        )
    return None


def note(req: Request) -> Plan | None:
    """ "Add a note to the Acme deal: they want a discount"."""
    n = req.n
    for pattern in _NOTE:
        match = pattern.match(n)
        if not match:
            continue
        target = req.original(match.start("target"), match.end("target"))
        record = resolve_record(target, req.ctx.directory)
        entity = record.entity if record else entity_in(target)
        ref = record.name if record else target
        partial = {"entity": entity, "ref": ref}
        question = record_or_question(record, Intent.CRM_NOTE_ADD, partial, "record")
        if question:
            return question
        text = cut(req, match.end("marker"), len(n)) if match["marker"] else ""
        if not text:
            return clarify(
                f"What should the note on {ref} say?",
                missing="text",
                pending_intent=Intent.CRM_NOTE_ADD,
                partial=partial,
            )
        return plan(Intent.CRM_NOTE_ADD, {**partial, "text": text}, CONFIDENT)
    return None


def _due(req: Request, start: int, end: int) -> tuple[str, str | None]:
    """The task text without its date, and the due date (or datetime when a time was given)."""
    segment = req.n[start:end]
    masked = (
        req.n[:start] + extract(segment, req.now, "future").mask(segment) + req.n[end:]
    )
    text = cut(req, start, end, masked=masked)
    when = req.when("future")
    due = None
    day = when.day or (when.start.date() if when.start else None)
    if day is not None:
        if when.clock is not None:
            due = iso(
                req.now.replace(
                    year=day.year,
                    month=day.month,
                    day=day.day,
                    hour=when.clock.hour,
                    minute=when.clock.minute,
                    second=0,
                )
            )
        else:
            due = day.isoformat()
    return text, due


def task(req: Request) -> Plan | None:
    """ "Remind me to call John Smith tomorrow", "add a task to the Globex deal: send the contract by Friday"."""
    n = req.n
    for pattern in _TASK:
        match = pattern.match(n)
        if not match:
            continue
        args: dict[str, Any] = {}
        if "text" in match.groupdict() and match["text"] is not None:
            text_start, text_end = match.start("text"), match.end("text")
        else:
            rest_start = match.start("rest")
            rest = n[rest_start:]
            targeted = _TASK_TARGET.match(rest)
            if targeted:
                phrase = req.original(
                    rest_start + targeted.start("target"),
                    rest_start + targeted.end("target"),
                )
                record = resolve_record(phrase, req.ctx.directory)
                if record is not None:
                    question = record_or_question(
                        record, Intent.CRM_TASK_ADD, {}, "record"
                    )
                    if question:
                        return question
                    args["entity"], args["ref"] = record.entity, record.name
                    text_start, text_end = rest_start + targeted.start("text"), len(n)
                else:
                    targeted = None
            if not targeted:
                plain = _TASK_TEXT.match(rest)
                if not plain:
                    return clarify(
                        "What is the task?",
                        missing="text",
                        pending_intent=Intent.CRM_TASK_ADD,
                    )
                text_start, text_end = rest_start + plain.start("text"), len(n)
        text, due = _due(req, text_start, text_end)
        if not text:
            return clarify(
                "What is the task?",
                missing="text",
                pending_intent=Intent.CRM_TASK_ADD,
                partial=args,
            )
        args["text"], args["due"] = text, due
        return plan(Intent.CRM_TASK_ADD, args, CONFIDENT)
    return None


def _search_filters(req: Request, args: dict[str, Any]) -> None:
    n = req.n
    stage = re.search(
        rf"\b(?:in|at) (?:the )?{STAGE}\b|\b{STAGE.replace('stage>', 'stage2>')} (?:deals|opportunities)\b",
        n,
    )
    if stage:
        args["stage"] = stage_of(stage["stage"] or stage["stage2"])
        n = n[: stage.start()] + n[stage.end() :]
    named = _NAMED.search(n)
    if named:
        args["query"] = req.original(named.start("q"), named.end("q"))
        return
    if args.get("entity") == "deal" and _CLOSE.search(n):
        period = search_range(req.when("future"), req.ctx.tz)
        if period:
            args["start"], args["end"] = iso(period[0]), iso(period[1])
    company = _AT_COMPANY.search(n) or _COMPANY_FIRST.match(n)
    if company and company["c"] not in ("the crm", "crm", "all", "me", "my", "our"):
        typed = req.original(company.start("c"), company.end("c"))
        found = req.ctx.directory.find_companies(typed)
        if found:
            args["company"] = found[0] if len(found) == 1 else typed


def _one_record(req: Request) -> Plan | None:
    """ "Who is the cfo at Globex" (a contact by role) and "who is the contact on the Initech pilot" (a deal)."""
    n = req.n
    contact_of = _CONTACT_OF.match(n)
    if contact_of:
        phrase = req.original(contact_of.start("phrase"), contact_of.end("phrase"))
        record = resolve_record(phrase, req.ctx.directory, "deal")
        if record is not None and record.known:
            return plan(Intent.CRM_GET, {"entity": "deal", "ref": record.name}, CONFIDENT)
    who = re.match(r"^who is (?P<phrase>.+)$", n)
    if who:
        people = by_role(req.original(who.start("phrase"), who.end("phrase")), req.ctx.directory)
        if people and len(people) == 1:
            return plan(Intent.CRM_GET, {"entity": "contact", "ref": people[0].name}, CONFIDENT)
    return None


def read(req: Request) -> Plan | None:
    """Finding CRM records ("contacts at Acme", "deals in negotiation") or showing one ("who is Hannah Okafor")."""
    n = req.n
    searched = _CRM_SEARCH.match(n)
    if searched:
        return plan(
            Intent.CRM_SEARCH,
            {"query": req.original(searched.start("q"), searched.end("q"))},
            CONFIDENT,
        )
    know = _KNOW_AT.match(n)
    if know:
        typed = req.original(know.start("c"), know.end("c"))
        found = req.ctx.directory.find_companies(typed)
        return plan(
            Intent.CRM_SEARCH,
            {"entity": "contact", "company": found[0] if len(found) == 1 else typed},
            CONFIDENT,
        )
    found = _one_record(req)
    if found is not None:
        return found
    for pattern in _GET:
        match = pattern.match(n)
        if not match:
            continue
        phrase = req.original(match.start("phrase"), match.end("phrase"))
        if any(word in _PLURAL_ENTITY for word in phrase.lower().split()):
            break
        record = resolve_record(phrase, req.ctx.directory) or resolve_record(
            match["phrase"], req.ctx.directory
        )
        if record is None or (
            not record.known and not record.ambiguous and entity_in(phrase) is None
        ):
            continue
        question = record_or_question(
            record, Intent.CRM_GET, {"entity": record.entity}, "record"
        )
        if question:
            return question
        return plan(
            Intent.CRM_GET,
            {"entity": record.entity, "ref": record.name},
            CONFIDENT if record.known else LIKELY,
        )
    words = n.split()
    entity = next((_PLURAL_ENTITY[w] for w in words if w in _PLURAL_ENTITY), None)
    by_stage = _STAGE_LIST.match(n)
    if entity is None and (by_stage or (_CLOSE.search(n) and req.when("future").has_date)):
        entity = "deal"
    listing = (
        _SEARCH_VERBS.match(n)
        or words[0] in _PLURAL_ENTITY
        or by_stage
        or re.match(r"^(?:recent|won|lost|open|new|all|our)\b", n)
    )
    if entity is None or not listing:
        return None
    args: dict[str, Any] = {"entity": entity}
    if by_stage:
        args["stage"] = "lead" if by_stage["leads"] else stage_of(by_stage["stage"])
    won_lost = re.match(
        r"^(?:show |list )?(?:me )?(?:all )?(?:my |our )?(?P<s>won|lost) deals\b", n
    )
    if won_lost:
        args["stage"] = won_lost["s"]
    _search_filters(req, args)
    return plan(Intent.CRM_SEARCH, args, CONFIDENT)
