"""Follow-ups that point at what the conversation showed last ("what does the second one say").

A follow-up never becomes a new search: it resolves to ``ctx.last_results`` or, when
there is nothing to point at or the pointer is unclear, to a question.
"""

from __future__ import annotations

import re
from typing import Any

from crm_app.assistant.intents import Intent, Plan, ResultRef
from crm_app.assistant.offline.common import (
    CONFIDENT,
    Request,
    clarify,
    cut,
    plan,
    unsupported,
)
from crm_app.assistant.offline.directory import name_key
from crm_app.assistant.offline.mail_search import sender_args
from crm_app.assistant.offline.people import People, resolve_people
from crm_app.assistant.offline.qualifiers import Qualifier, qualifier
from crm_app.assistant.offline.records import resolve_record
from crm_app.assistant.offline.vocab import ORDINALS
from crm_app.assistant.offline.workspace import share_role

_NOUN = (
    r"(?:one|email|mail|message|item|result|file|document|event|meeting|record|entry)"
)
_ORDINAL_WORDS = "|".join(
    list(ORDINALS) + ["last", "latest", "final", "bottom", "top", "previous"]
)
_ORDINAL = re.compile(
    rf"\b(?:the )?(?P<ord>{_ORDINAL_WORDS}) (?P<noun>{_NOUN})s?\b"
    rf"|^(?:what about |how about |(?:open|read|show|display)(?: me)? )?(?:the )?(?P<ord2>{_ORDINAL_WORDS})$"
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
    r"^(?P<f>(?:the )?(?:" + _ORDINAL_WORDS + r")(?: one)?)$"
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
_NOT_NAMES = frozenset(
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
_THEIR = re.compile(r"^(?:her|his|their|them|him)\b", re.IGNORECASE)
_LOG_TARGET = re.compile(r"\b(?:to|in|into|against|on|under|with|for) (?P<target>.+)$")
_OPEN_BY_KIND: dict[str, tuple[Intent, str]] = {
    "email": (Intent.MAIL_GET, "Fetching the full text of"),
    "file": (Intent.FILES_READ, "Opening"),
    "crm": (Intent.CRM_GET, "Showing"),
}
_NOTHING_SHOWN = "I don't have an earlier result in this conversation to refer to."


_BY_LABEL = re.compile(r"(?P<who>.+)")


def _label_hits(results: list[ResultRef], words: str) -> int:
    """How many results' labels hold every one of ``words``."""
    wanted = [w for w in name_key(words).split() if w not in _NOT_NAMES]
    if not wanted:
        return 0
    return sum(all(w in name_key(item.label) for w in wanted) for item in results)


def _reference_in(text: str) -> tuple[str, re.Match[str]] | None:
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


def _ref(results: list[ResultRef], index: int) -> dict[str, Any]:
    item = results[index]
    return {"kind": item.kind, "index": index, "id": item.id}


def _pick(
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
            return _which(req, candidates, f"I only showed {len(candidates)} item(s).")
        if name == "number":
            position = int(match["num"]) - 1
            if 0 <= position < len(candidates):
                return candidates[position]
            return _which(req, candidates, f"I only showed {len(candidates)} item(s).")
        if name == "label":
            wanted = [
                w
                for w in name_key(match["who"] or match["owner"] or match["topic"]).split()
                if w not in _NOT_NAMES
            ]
            hits = [
                i
                for i in candidates
                if all(w in name_key(results[i].label) for w in wanted)
            ]
            if len(hits) == 1:
                return hits[0]
            return _which(req, candidates, "")
    if len(candidates) == 1:
        return candidates[0]
    return _which(req, candidates, "")


def _which(req: Request, candidates: list[int], lead: str) -> Plan:
    results = req.ctx.last_results
    question = (lead + " Which one do you mean?").strip()
    return clarify(
        question,
        missing="ref",
        options=[f"{n + 1}. {results[i].label}" for n, i in enumerate(candidates)],
        candidates=[results[i].id for i in candidates],
    )


def _nothing_to_refer_to(what: str) -> Plan:
    return clarify(
        f"{_NOTHING_SHOWN} Which {what} do you mean?",
        missing="ref",
        options=["Show my most recent email", "Show me emails from the last 3 days"]
        if what == "email"
        else ["List my recent OneDrive files"],
    )


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


def _newest_email(found: tuple[str, re.Match[str]]) -> bool:
    """True for "my latest email"-style words, which ask for a search rather than point back."""
    name, match = found
    return (
        name == "ordinal"
        and match["ord"] in ("last", "latest")
        and match["noun"] not in (None, "one")
    )


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
            return {"ref": _ref(results, hits[0])}
        if hits:
            position = _position(found)
            if position is not None and position < len(hits):
                return {"ref": _ref(results, hits[position])}
            return _which(req, hits, f"{len(hits)} of the emails shown fit.")
        search = wanted.search(req, intent)
        if isinstance(search, Plan):
            return search
        return {"find": search}
    if not results:
        if found is not None and _newest_email(found):
            return _newest_from_owner(req, intent)
        return _nothing_to_refer_to("email")
    index = _pick(req, found, ("email",))
    if isinstance(index, Plan):
        return index
    if results[index].kind != "email":
        return unsupported(
            "I can only reply to or forward an email.",
            ["Show my most recent email"],
        )
    return {"ref": _ref(results, index)}


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


def _position(found: tuple[str, re.Match[str]] | None) -> int | None:
    """The 0-based position a counting ordinal ("the second one") names, else None."""
    if found is None or found[0] != "ordinal":
        return None
    word = found[1]["ord"] or found[1]["ord2"]
    return ORDINALS.get(word)


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
    found = _reference_in(n)
    results = req.ctx.last_results

    if forward and _BULK_FORWARD.match(n):
        return None
    if reply:
        marker = _BODY_MARKER.search(n, reply.end())
        if (
            found is not None
            and marker is not None
            and found[1].start() >= marker.end()
        ):
            found = None
    if reply or forward:
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

    if log and found is not None and found[1].start() <= log.end() + _NEAR_VERB:
        if not results:
            return _nothing_to_refer_to("email")
        index = _pick(req, found, ("email",))
        if isinstance(index, Plan):
            return index
        if results[index].kind != "email":
            return None
        args = {"ref": _ref(results, index)}
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

    if (
        share
        and found is not None
        and found[0] != "label"
        and found[1].start() <= share.end() + _NEAR_VERB
    ):
        if not results:
            return _nothing_to_refer_to("file")
        index = _pick(req, found, ("file",))
        if isinstance(index, Plan):
            return index
        role, clean = share_role(n)
        target = re.search(r"\bwith (?P<who>.+?) *$", clean)
        recipients: People | None = None
        if target:
            who = req.original(target.start("who"), target.end("who"))
            recipients = resolve_people(who, req.ctx.directory)
        args = {"ref": _ref(results, index), "role": role}
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

    if content:
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
        if obj is not None and _reference_in(obj) is None and _label_hits(results, obj) == 1:
            found = ("label", _BY_LABEL.match(obj))
        elif obj is not None and (
            _reference_in(obj) is None or re.search(r"\bmy\b", obj)
        ):
            return None
        if (
            obj is not None
            and found is not None
            and not results
            and _newest_email(found)
        ):
            return None
        if not results:
            return _nothing_to_refer_to("email" if "file" not in n else "file")
        labelled = found is not None and found[0] == "label"
        index = _pick(req, found if obj is not None or labelled else None, ("email", "file", "crm"))
        if isinstance(index, Plan):
            return index
        item = results[index]
        ref = _ref(results, index)
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
    return None
