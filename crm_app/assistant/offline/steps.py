"""The rule for a request in two steps, a read and then a side effect on what it finds:
"find the Q4 report and share it with the finance team", "search my mail for the invoice from Acme and
log it to the CRM". The second part's "it" / "them" points at the first part's result: its `ref` is
``{"kind": ..., "step": 1}``."""

from __future__ import annotations

import dataclasses
import re

from crm_app.assistant.intents import Intent, Plan, ResultRef
from crm_app.assistant.offline.common import CONFIDENT, Request, plan

_SPLIT = re.compile(r"^(?P<first>.+?),? and (?:then )?(?P<second>.+)$")
_POINTER = re.compile(r"\b(?:it|them|that|those|this one)\b")
# The reads whose result a second step can act on, and the kind of result each gives.
READ_KINDS: dict[Intent, str] = {
    Intent.FILES_SEARCH: "file",
    Intent.MAIL_SEARCH: "email",
    Intent.SHAREPOINT_SEARCH: "file",
}
FOLLOWING: frozenset[Intent] = frozenset({Intent.FILES_SHARE, Intent.MAIL_REPLY, Intent.CRM_LOG_EMAIL})
STEP_REF = "step-1"


def two_steps(req: Request) -> Plan | None:
    """A read, then a side effect on its result, as one plan of both steps."""
    from crm_app.assistant.parser import parse_alone

    match = _SPLIT.match(req.n)
    if match is None or not _POINTER.search(match["second"]):
        return None
    first = parse_alone(req.original(match.start("first"), match.end("first")), req.ctx)
    kind = READ_KINDS.get(first.intent)
    if kind is None:
        return None
    pointing = dataclasses.replace(req.ctx, last_results=[ResultRef(kind, STEP_REF, "the first step's result")])
    second = parse_alone(req.original(match.start("second"), match.end("second")), pointing)
    if second.intent not in FOLLOWING:
        return None
    steps = [{"intent": first.intent.value, "args": first.args},
             {"intent": second.intent.value, "args": {**second.args, "ref": {"kind": kind, "step": 1}}}]
    return plan(Intent.STEPS, {"steps": steps}, CONFIDENT)
