"""A request in steps: the reads run at once, each with its chip; the side effect that acts on what they
found becomes one confirmation card that lists every step, and nothing changes until the user confirms."""

from __future__ import annotations

from crm_app.assistant import replies
from crm_app.assistant.intents import Intent, Plan, is_side_effect
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.proposals import PROPOSERS, propose
from crm_app.services.assistant.reads import read_handler
from crm_app.services.assistant.turn import TurnFailed, TurnState

STEPS_REPLY = ("I did the first step and found what's shown. The next step changes something, so it waits for you: "
               "press Confirm to run it, or Edit or Cancel.")


def _found_label(cards: list[dict[str, str]]) -> str:
    first = f"“{cards[0].get('title', '')}”"
    return first if len(cards) == 1 else f"{first} (the first of {len(cards)})"


async def run_steps(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    """Run a read, then propose the side effect on its first result, on one card listing both steps."""
    (read, act) = (Plan(Intent(s["intent"]), dict(s.get("args") or {})) for s in plan.args["steps"])
    if is_side_effect(read.intent) or act.intent not in PROPOSERS:
        raise TurnFailed("I can't carry out these steps together. Ask for them one at a time.")
    chip = await st.chip(f"Plan: {replies.failure_what(read.intent.value)}, then {replies.failure_what(act.intent.value).lower()}")
    chip["state"] = "done"
    before = len(st.turn.cards)
    await read_handler(read.intent)(eng, st, read)
    found = [c for c in st.turn.cards[before:] if c.get("kind") not in ("error", "text")]
    if not found:
        raise TurnFailed(f"{replies.failure_what(read.intent.value)} found nothing, so I didn't go on to the next step.")
    st.last_results = st.turn.results
    st.found_file = found[0]
    pointer = act.args.get("ref") or {}
    act = Plan(act.intent, {**act.args, "ref": {"kind": pointer.get("kind", found[0]["kind"]), "index": 0}})
    await propose(eng, st, act)
    card = st.turn.cards[-1]
    card["steps"] = "\n".join([
        f"1. {replies.failure_what(read.intent.value)}: found {_found_label(found)} — done",
        f"2. {card['title'].rstrip('?')} — waits for your Confirm",
    ])
    await st.say(STEPS_REPLY)
