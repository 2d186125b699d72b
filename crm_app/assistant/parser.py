"""The offline assistant backend: a deterministic parser from a chat message to a :class:`Plan`.

Rules are tried from the most specific to the most general, so that what a message
*does* (send, note, move, share) wins over what it *mentions* (an email, a meeting).
A message no rule understands goes to the semantic fallback, which maps it to the
nearest capability or abstains; then it gets an honest "I can't do that yet" with the
nearest capabilities as suggestions;
an unclear person, record, time or follow-up gets a question. Parsing is pure: the
same message and context always give the same plan, with no network access.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_app.assistant.intents import Intent, ParseContext, Plan
from crm_app.assistant.offline import (
    briefs,
    calendar,
    channels,
    chat,
    crm,
    crm_records,
    mail,
    mail_search,
    pending,
    references,
    semantic,
    tool_use,
    senders,
    steps,
    workspace,
)
from crm_app.assistant.offline.common import CONFIDENT, Request

Rule = Callable[[Request], Plan | None]

RULES: tuple[Rule, ...] = (
    chat.help_request,
    tool_use.use_tool,
    chat.greeting,
    chat.not_offered,
    senders.contact_for_sender,
    mail_search.more,
    steps.two_steps,
    references.follow_up,
    briefs.meeting_brief,
    crm.note,
    crm.task,
    crm.deal_move,
    crm_records.create,
    crm_records.update,
    crm_records.delete,
    mail.compose,
    channels.channel_messages,
    workspace.teams,
    workspace.share,
    chat.refusal,
    calendar.find_times,
    calendar.create,
    workspace.sharepoint,
    mail_search.folders,
    mail_search.search,
    workspace.files,
    calendar.list_events,
    crm.read,
)


def first_rule(req: Request) -> Plan | None:
    """The plan of the first rule that understands the message, or None."""
    for rule in RULES:
        result = rule(req)
        if result is not None:
            return result
    return None


def _restated(text: str, req: Request) -> Plan:
    return first_rule(Request.build(text, req.ctx)) or chat.fallback(req)


def _apply_rules(req: Request) -> Plan:
    found = first_rule(req) or semantic.nearest(req, _restated)
    if found is not None:
        return found
    return chat.fallback(req, semantic.suggestions(req, chat.HELP_SUGGESTIONS))


def _parse(text: str, ctx: ParseContext, answer_questions: bool) -> Plan:
    req = Request.build(text, ctx)
    standalone = _apply_rules(req)
    unsure = (
        standalone.intent in (Intent.UNSUPPORTED, Intent.CLARIFY)
        or standalone.confidence < CONFIDENT
    )
    if answer_questions and ctx.history and unsure:
        answered = pending.answer(req, standalone, _parse)
        if answered is not None:
            return answered
    return standalone


def parse(text: str, ctx: ParseContext) -> Plan:
    """Turn one chat message into a plan, using ``ctx`` for dates, people and follow-ups."""
    return _parse(text, ctx, True)


def parse_alone(text: str, ctx: ParseContext) -> Plan:
    """`parse` for one part of a longer message: no earlier question is answered with it."""
    return _parse(text, ctx, False)
