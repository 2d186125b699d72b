"""Follow-ups that point at what the conversation showed last ("what does the second one say").

A follow-up never becomes a new search: it resolves to ``ctx.last_results`` or, when
there is nothing to point at or the pointer is unclear, to a question.
"""

from __future__ import annotations

import re
from typing import Any

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import (
    CONFIDENT,
    Request,
    clarify,
    cut,
    plan,
    unsupported,
)
from crm_app.assistant.offline.mail_search import sender_args
from crm_app.assistant.offline.people import People, resolve_people
from crm_app.assistant.offline.qualifiers import Qualifier, qualifier
from crm_app.assistant.offline.records import resolve_record
from crm_app.assistant.offline.workspace import share_role
from crm_app.assistant.offline.pointers import (
    BY_LABEL,
    Found,
    ORDINAL_WORDS,
    label_hits,
    newest_email,
    nothing_to_refer_to,
    pick_shown,
    pick,
    ordinal_position,
    reference_in,
    result_ref,
    which_result,
)


_CONTENT = re.compile(
    r"^(?:what is|what was) (?:the )?(?:content|contents|body|text|full text|message)\b|"
    r"^what (?:does|did|do|is) (?P<a>.+?) (?:say|says|said|contain|mean)\b|"
    r"^(?:what is|what was) (?:in|inside) (?P<b>.+)$|"
    r"^(?:show|give|display|let me see|get)(?: me)? (?:the )?(?:full|whole|entire|complete|rest of the) (?:email|message|text|body|content|thing)\b|"
    r"^(?:show|give|display|get)(?: me)? (?:the )?(?:content|contents|body|full text)\b|"
    r"^(?:the )?(?:full|whole|entire|complete) (?:text|body|content|email|message|thing)s?(?: (?:of|for) (?P<e>.+))?$|"
    r"^(?:tell me|give me|show me) more\b|^more (?:about|on|details|info)\b|^(?:any )?more details\b|"
    r"^(?:open|read|expand|view|show|display|pull up|bring up)(?: me)?(?: up)? (?P<c>.+?)(?: (?:to me|for me|in full|in detail|please|again))*$|"
    r"^(?:summari[sz]e|details (?:of|on|about)|what about) (?P<d>.+)$|"
    r"^(?P<f>(?:the )?(?:" + ORDINAL_WORDS + r")(?: one)?)$"
)
_REPLY = re.compile(
    r"^(?:reply|respond|answer|write back|(?:draft|write|send|compose|prepare) (?:a |an )?(?:quick |short )?(?:reply|response))(?P<all> all| to all)?\b"
)
_LOOK_FIRST = re.compile(
    r"^(?:check|open|look at|look in|look through|go to|go through|scan|search) (?:my |the )?"
    r"(?:inbox|mail|mailbox|emails?|outlook)(?: and| then| and then)? (?=(?:reply|respond|answer|forward|write back)\b)"
)
_BULK_FORWARD = re.compile(r"^forward (?:all|every|each|any)\b")
_FORWARD = re.compile(r"^forward\b")
_LOG = re.compile(r"^(?:log|save|record|file|attach|store|track|add|link|put)\b")
_SHARE = re.compile(r"^share\b")
_BODY_MARKER = re.compile(
    r"\b(?:saying|and say|and tell (?:them|him|her)|to say|telling (?:them|him|her)(?: that)?|with(?: the)? (?:message|note|text)|with|that)\b ?:?|:"
)
_FORWARD_TO = re.compile(r"\bto (?P<who>.+?)(?= saying\b| with\b| and say\b|:|$)")
_NEAR_VERB = 6
_THEIR = re.compile(r"^(?:her|his|their|them|him)\b", re.IGNORECASE)
_LOG_TARGET = re.compile(r"\b(?:to|in|into|against|on|under|with|for) (?P<target>.+)$")
_OPEN_BY_KIND: dict[str, tuple[Intent, str]] = {
    "email": (Intent.MAIL_GET, "Fetching the full text of"),
    "file": (Intent.FILES_READ, "Opening"),
    "crm": (Intent.CRM_GET, "Showing"),
}


def _addresses_an_email(n: str, reply: re.Match[str] | None) -> bool:
    """True when a reply or forward without a pointer still clearly means the email shown."""
    if re.search(r"\b(?:email|message|mail)\b", n) or n.endswith(
        ("reply", "respond", "forward")
    ):
        return True
    if reply is None:
        return False
    bare = re.match(
        r"^(?:reply|respond)(?: all| to all)?(?: (?:saying|with|that)\b|:)", n
    )
    return bool(bare) or reply.end() == len(n)


def _email_meant(
    req: Request,
    found: tuple[str, re.Match[str]] | None,
    wanted: Qualifier | None,
    intent: Intent,
) -> dict[str, Any] | Plan:
    """``{"ref": …}`` for an email shown, ``{"find": …}`` for one to search for, or a question.

    A qualifier ("from Dave") picks the one email shown that fits it, searches when
    none does, and asks when several do (unless an ordinal says which of them).
    """
    results = req.ctx.last_results
    if wanted is not None:
        emails = [i for i, item in enumerate(results) if item.kind == "email"]
        hits = [i for i in emails if wanted.matches(results[i])]
        if len(hits) == 1:
            return {"ref": result_ref(results, hits[0])}
        if hits:
            position = ordinal_position(found)
            if position is not None and position < len(hits):
                return {"ref": result_ref(results, hits[position])}
            return which_result(req, hits, f"{len(hits)} of the emails shown fit.")
        search = wanted.search(req, intent)
        if isinstance(search, Plan):
            return search
        return {"find": search}
    if not results:
        if found is not None and newest_email(found):
            return _newest_from_owner(req, intent)
        return nothing_to_refer_to("email")
    index = pick(req, found, ("email",))
    if isinstance(index, Plan):
        return index
    if results[index].kind != "email":
        return unsupported(
            "I can only reply to or forward an email.",
            ["Show my most recent email"],
        )
    return {"ref": result_ref(results, index)}


_OWNER_NEWEST = re.compile(
    r"\b(?P<owner>[\w-]+(?: [\w-]+)?)(?:'s|s') (?:last|latest|most recent|newest) (?:email|mail|message)\b"
)


def _newest_from_owner(req: Request, intent: Intent) -> dict[str, Any] | Plan:
    """The search for "Maria's last email": the newest email, from the owner when one is named."""
    search: dict[str, Any] = {"top": 1}
    owner = _OWNER_NEWEST.search(req.n)
    if owner:
        who = req.original(owner.start("owner"), owner.end("owner"))
        question = sender_args(req, who.removesuffix("'s").removesuffix("'"), search, {}, intent)
        if question is not None:
            return question
    return {"find": search}


_THIRD_PERSON: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:she|he) {verb}\b", re.IGNORECASE), f"you {second}")
    for verb, second in (("is", "are"), ("was", "were"), ("has", "have"), ("does", "do"))
] + [
    (re.compile(r"\b(?:she|he)'s\b", re.IGNORECASE), "you're"),
    (re.compile(r"\b(?:she|he)\b", re.IGNORECASE), "you"),
    (re.compile(r"\b(?:herself|himself)\b", re.IGNORECASE), "yourself"),
    (re.compile(r"\bhim\b", re.IGNORECASE), "you"),
    (re.compile(r"\bhis\b", re.IGNORECASE), "your"),
    (
        re.compile(
            r"\bher\b(?= (?:a|an|the|some|this|that|back|soon|later|today|tomorrow|tonight|again|now|when|if|"
            r"at|on|in|about|after|before|by|for|with|to|and|know)\b|\s*[.,!?;]|\s*$)",
            re.IGNORECASE,
        ),
        "you",
    ),
    (re.compile(r"\bher\b", re.IGNORECASE), "your"),
]


def _addressed(body: str) -> str:
    """A message the user described in the third person ("I'll call her") as said to its recipient."""
    for pattern, second in _THIRD_PERSON:
        body = pattern.sub(
            lambda m, second=second: second.capitalize() if m.group()[0].isupper() else second,
            body,
        )
    return body


def _after_marker(req: Request, start: int) -> str:
    marker = _BODY_MARKER.search(req.n, start)
    if not marker:
        return ""
    return cut(req, marker.end(), len(req.n))


def follow_up(req: Request) -> Plan | None:
    """A message that acts on an earlier result, or None when it is not one."""
    req = req.without(_LOOK_FIRST)
    n = req.n
    reply, forward = _REPLY.match(n), _FORWARD.match(n)
    log, share, content = _LOG.match(n), _SHARE.match(n), _CONTENT.match(n)
    found = reference_in(n)
    if forward and _BULK_FORWARD.match(n):
        return None
    if reply or forward:
        return _reply_or_forward(req, found, reply, forward)
    if log and found is not None and found[1].start() <= log.end() + _NEAR_VERB:
        return _log_email(req, found)
    if (
        share
        and found is not None
        and found[0] != "label"
        and found[1].start() <= share.end() + _NEAR_VERB
    ):
        return _share_file(req, found)
    if content:
        return _open_content(req, found, content)
    return None


def _reply_or_forward(
    req: Request, found: Found | None, reply: re.Match[str] | None, forward: re.Match[str] | None
) -> Plan | None:
    """ "Reply to the second one saying …", "forward it to Jane"."""
    n, results = req.n, req.ctx.last_results
    if reply:
        marker = _BODY_MARKER.search(n, reply.end())
        if (
            found is not None
            and marker is not None
            and found[1].start() >= marker.end()
        ):
            found = None
    if found is None and not _addresses_an_email(n, reply):
        return None
    intent = Intent.MAIL_REPLY if reply else Intent.MAIL_FORWARD
    verb_end = (reply or forward).end()
    after_ref = found[1].end() if found else verb_end
    target = None if reply else _FORWARD_TO.search(n, after_ref)
    marker = _BODY_MARKER.search(n, verb_end) if reply else None
    region_end = (target or marker).start() if (target or marker) else len(n)
    meant = _email_meant(req, found, qualifier(req, verb_end, region_end), intent)
    if isinstance(meant, Plan):
        return meant
    label = results[meant["ref"]["index"]].label if "ref" in meant else ""
    if reply:
        body = _addressed(_after_marker(req, found[1].end() if found else reply.end()))
        reply_all = bool(reply["all"]) or None
        if not body:
            return clarify(
                f"What should the reply to “{label}” say?" if label else "What should the reply say?",
                missing="body",
                pending_intent=Intent.MAIL_REPLY,
                partial={**meant, "reply_all": reply_all},
            )
        return plan(
            Intent.MAIL_REPLY, {**meant, "body": body, "reply_all": reply_all}, CONFIDENT
        )
    args: dict[str, Any] = dict(meant)
    if target:
        people = resolve_people(
            req.original(target.start("who"), target.end("who")), req.ctx.directory
        )
        args["to"], args["to_names"] = people.addresses, people.names
    args["body"] = _addressed(
        _after_marker(req, target.end() if target else after_ref)
    )
    return plan(Intent.MAIL_FORWARD, args, CONFIDENT)


def _log_email(req: Request, found: Found) -> Plan | None:
    """ "Log the second one to the Globex deal"."""
    n, results = req.n, req.ctx.last_results
    index = pick_shown(req, found, "email")
    if isinstance(index, Plan):
        return index
    if results[index].kind != "email":
        return None
    args = {"ref": result_ref(results, index)}
    target = _LOG_TARGET.search(n, found[1].end())
    if target:
        phrase = req.original(target.start("target"), target.end("target"))
        if _THEIR.search(phrase) and found[0] == "label":
            phrase = found[1]["who"] or found[1]["owner"]
            record = resolve_record(phrase, req.ctx.directory, "contact")
        else:
            record = resolve_record(phrase, req.ctx.directory)
        if record is not None and record.name.lower() not in ("crm", ""):
            args["entity"], args["target"] = record.entity, record.name
    return plan(Intent.CRM_LOG_EMAIL, args, CONFIDENT)


def _share_file(req: Request, found: Found) -> Plan:
    """ "Share it with Maria read only"."""
    n, results = req.n, req.ctx.last_results
    index = pick_shown(req, found, "file")
    if isinstance(index, Plan):
        return index
    role, clean = share_role(n)
    target = re.search(r"\bwith (?P<who>.+?) *$", clean)
    recipients: People | None = None
    if target:
        who = req.original(target.start("who"), target.end("who"))
        recipients = resolve_people(who, req.ctx.directory)
    args = {"ref": result_ref(results, index), "role": role}
    if recipients is None or not (recipients.addresses or recipients.names):
        return clarify(
            f"Who should I share “{results[index].label}” with?",
            missing="recipients",
            pending_intent=Intent.FILES_SHARE,
            partial=args,
        )
    args["recipients"], args["recipient_names"] = (
        recipients.addresses,
        recipients.names,
    )
    return plan(Intent.FILES_SHARE, {k: v for k, v in args.items() if v}, CONFIDENT)


def _open_content(req: Request, found: Found | None, content: re.Match[str]) -> Plan | None:
    """ "What does the second one say", "show me the whole email from Hannah"."""
    n, results = req.n, req.ctx.last_results
    obj = next(
        (
            g
            for g in (
                content["a"],
                content["b"],
                content["c"],
                content["d"],
                content["e"],
                content["f"],
            )
            if g
        ),
        None,
    )
    if obj is not None and reference_in(obj) is None and label_hits(results, obj) == 1:
        found = ("label", BY_LABEL.match(obj))
    elif obj is not None and (
        reference_in(obj) is None or re.search(r"\bmy\b", obj)
    ):
        return None
    if (
        obj is not None
        and found is not None
        and not results
        and newest_email(found)
    ):
        return None
    if not results:
        return nothing_to_refer_to("email" if "file" not in n else "file")
    labelled = found is not None and found[0] == "label"
    index = pick(req, found if obj is not None or labelled else None, ("email", "file", "crm"))
    if isinstance(index, Plan):
        return index
    item = results[index]
    ref = result_ref(results, index)
    opener = _OPEN_BY_KIND.get(item.kind)
    if opener is not None:
        intent, verb = opener
        note = " (only a preview was shown)" if item.preview_only else ""
        return plan(
            intent,
            {"ref": ref},
            CONFIDENT,
            explanation=f"{verb} “{item.label}”{note}",
        )
    return unsupported(
        f"I showed everything I have about “{item.label}”.",
        ["Show me this week's meetings", "List my recent OneDrive files"],
    )
