"""The rule for reading a Teams channel: "what's new in the sales general channel", "latest messages in
General of the Finance team", "catch me up on the Deals channel in Sales"."""

from __future__ import annotations

import re

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import CONFIDENT, Request, clarify, plan

_NAME = r"[\w&-]+(?: [\w&-]+)?"
_READ = re.compile(
    r"\b(?:what'?s new|what is new|anything new|news|latest|recent|catch (?:me )?up|messages?|posts?|read|"
    r"what'?s (?:happening|going on)|what are (?:people|they) (?:saying|talking about)|updates?)\b"
)
_WRITE = re.compile(r"^(?:post|send|share|put|write|drop|tell|announce|reply|create|add|delete|remove)\b")
_SHAPES = (
    # "the General channel of/in/on (the) Sales (team)"
    re.compile(rf"\b(?:the )?(?P<channel>{_NAME}) channel (?:of|in|on|from) (?:the )?(?P<team>{_NAME}?)(?: team)?\b"),
    # "the Sales team's General channel", "Sales team General channel"
    re.compile(rf"\b(?:the )?(?P<team>[\w&-]+) team(?:'s)? (?P<channel>{_NAME}) channel\b"),
    # "the sales general channel": the first word names the team, the rest the channel
    re.compile(r"\b(?:in|on|from|of|up on|at) (?:the )?(?P<team>[\w&-]+) (?P<channel>[\w&-]+(?: [\w&-]+)?) channel\b"),
)
_CHANNEL_ONLY = re.compile(r"\b(?:the )?#?(?P<channel>[\w&-]+(?: [\w&-]+)?) channel(?: (?:on|in) teams)?\W*$")
_STOP = {"the", "a", "my", "our", "teams", "team", "this", "that", "in", "on", "of"}


def _clean(name: str) -> str:
    words = [w for w in name.split() if w.lower() not in _STOP]
    return " ".join(words)


def channel_messages(req: Request) -> Plan | None:
    """Reading a channel's latest messages (a question about a channel, not posting to it or listing channels)."""
    n = req.n
    if "channel" not in n or re.search(r"\bchannels\b", n) or _WRITE.match(n) or not _READ.search(n):
        return None
    for shape in _SHAPES:
        match = shape.search(n)
        if match and _clean(match["team"]) and _clean(match["channel"]):
            team = _clean(req.original(match.start("team"), match.end("team")))
            channel = _clean(req.original(match.start("channel"), match.end("channel")))
            return plan(Intent.TEAMS_MESSAGES, {"team_name": team, "channel_name": channel}, CONFIDENT)
    only = _CHANNEL_ONLY.search(n)
    if only is None:
        return None
    channel = _clean(req.original(only.start("channel"), only.end("channel")))
    return clarify(
        f"Which team's {channel or 'channel'} channel should I read?" if channel else "Which team's channel should I read?",
        missing="team_name",
        pending_intent=Intent.TEAMS_MESSAGES,
        partial={"channel_name": channel} if channel else None,
        options=["List my teams"],
    )
