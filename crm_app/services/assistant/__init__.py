"""One chat turn: understand the message, run read tools, propose side effects for confirmation, reply.

The flow (see the design doc): the backend (offline parser, or an LLM with tool calling) turns the
message into a plan; read tools run at once; a side-effecting tool becomes a confirmation card and
runs only when the user confirms it; tool results become typed cards; a failed tool yields an honest
error card; every call is audited by the MCP client manager.

- `turn`: the message being built (`Turn`) and the per-turn state handlers share (`TurnState`)
- `engine`: who the turn runs for, their time zone and tools; a read with its progress chip
- `registry`: the user's tool registry, tool lookup by capability, running a tool
- `context`: the clock, conversation history, the parser's context, earlier results
- `people`: senders, recipients, directory look-ups
- `reads`: read handlers (`READ_HANDLERS`)
- `proposals`, `crm_proposals`: side effects as confirmation cards (`PROPOSERS`)
- `llm_turn`: the model's tool-calling turn
- `confirmations`: confirm or cancel a proposed action
- `wording`: card summaries and replies for actions
- `dispatch`: the use cases (`send_message`, `offer_contact`, `log_email_card`)
"""

from crm_app.assistant.card_model import Card
from crm_app.services.assistant.confirmations import (
    EDITABLE,
    apply_edits,
    cancel_action,
    confirm_action,
    confirm_and_reply,
    editable,
)
from crm_app.services.assistant.context import clock
from crm_app.services.assistant.crm_proposals import CREATE_TOOL, CRM_INTENT_TOOL, log_args
from crm_app.services.assistant.dispatch import log_email_card, mode_label, offer_contact, open_email, send_message
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.people import EMAIL_ID_ARGUMENTS, EMAIL_RE, unnamed_recipients
from crm_app.services.assistant.proposals import PROPOSERS
from crm_app.services.assistant.reads import READ_HANDLERS, SEARCH_TOP
from crm_app.services.assistant.registry import MS365_AREA, build_registry, crm_registry
from crm_app.services.assistant.turn import MAX_MESSAGE_CHARS, Sink, ThrottledSink, Turn, TurnFailed, TurnState
from crm_app.services.assistant.wording import proposal_summary

__all__ = [
    "CREATE_TOOL", "CRM_INTENT_TOOL", "Card", "EDITABLE", "EMAIL_ID_ARGUMENTS", "EMAIL_RE", "MAX_MESSAGE_CHARS", "MS365_AREA",
    "PROPOSERS", "READ_HANDLERS", "SEARCH_TOP", "Sink", "ThrottledSink", "Turn", "TurnEngine", "TurnFailed", "TurnState",
    "apply_edits", "build_registry", "cancel_action", "clock", "confirm_action", "confirm_and_reply", "crm_registry", "log_args",
    "editable", "log_email_card", "mode_label", "open_email", "offer_contact", "proposal_summary", "send_message", "unnamed_recipients",
]
