"""The turn being built: progress, failure, what follow-ups can refer to."""

from __future__ import annotations

import asyncio

from crm_app.assistant.card_model import Card
from crm_app.services.assistant.turn import Sink, ThrottledSink, Turn, TurnState


async def test_a_failure_adds_one_retryable_error_card_and_fails_the_running_chips():
    shown: list[str] = []

    async def sink(turn: Turn) -> None:
        shown.append(turn.status)

    st = TurnState(sink=sink, turn=Turn(retry_text="show my mail"))
    done = await st.chip("Listing")
    done.state = "done"
    await st.chip("Searching")
    await st.fail("mail.search", "The server did not answer.")
    assert st.turn.status == "failed"
    assert [c.state for c in st.turn.chips] == ["done", "failed"]
    [card] = st.turn.cards
    assert card["kind"] == "error" and card["retry_text"] == "show my mail" and card["retry_id"]
    assert "The server did not answer." in card["body"] and "The server did not answer." in st.turn.text
    assert shown and shown[-1] == "failed"
    assert (await st.finish()).status == "failed"


async def test_a_page_that_cannot_be_updated_does_not_stop_the_turn():
    async def broken(_: Turn) -> None:
        raise RuntimeError("websocket gone")

    st = TurnState(sink=broken)
    await st.say("Here it is.")
    turn = await st.finish()
    assert turn.text == "Here it is." and turn.status == "done"


def test_remembered_results_keep_known_kinds_and_file_the_rest_as_crm():
    turn = Turn()
    turn.remember([Card(kind="email", id="m1", title="Hi", body_kind="preview"),
                   Card(kind="crm", entity="contact", id="7", title="Jane"), Card(kind="email", id="", title="no id")])
    assert [(r["kind"], r["id"], r["label"], r["preview_only"]) for r in turn.results] == [
        ("email", "m1", "Hi", True), ("crm", "7", "Jane", False)]
    assert "results" in turn.payload() and "action_status" not in turn.payload()
    stored = turn.payload()["results"][0]["card"]
    assert stored["title"] == "Hi" and isinstance(stored, dict), "a remembered card is stored as plain data"


def recording() -> tuple[list[str], Sink]:
    shown: list[str] = []

    async def show(turn: Turn) -> None:
        shown.append(turn.text)

    return shown, show


async def feed(sink: ThrottledSink, *texts: str) -> Turn:
    """One turn's progress, reported to `sink` as each text in turn."""
    turn = Turn()
    for text in texts:
        turn.text = text
        await sink(turn)
    return turn


async def test_a_turn_that_ends_quickly_shows_no_progress_only_its_end():
    shown, show = recording()
    sink = ThrottledSink(show, interval=10.0)
    await feed(sink, "Searching…", "Found 3", "Here they are.")
    sink.close()
    await asyncio.sleep(0)
    assert shown == []


async def test_a_slow_turn_shows_its_latest_state_once_per_interval():
    shown, show = recording()
    sink = ThrottledSink(show, interval=0.05)
    turn = await feed(sink, "Listing", "Searching", "Reading")
    await asyncio.sleep(0.3)
    assert shown == ["Reading"]  # three updates inside one interval: one showing, of the latest
    turn.text = "Summing up"
    await sink(turn)
    await asyncio.sleep(0.3)
    assert shown == ["Reading", "Summing up"]
    sink.close()


async def test_progress_that_cannot_be_shown_does_not_stop_later_progress():
    shown: list[str] = []

    async def flaky(turn: Turn) -> None:
        if not shown and turn.text == "Searching":
            shown.append("refused")
            raise RuntimeError("websocket gone")
        shown.append(turn.text)

    sink = ThrottledSink(flaky, interval=0.0)
    turn = Turn(text="Searching")
    await sink(turn)
    await asyncio.sleep(0.05)
    turn.text = "Still searching"
    await sink(turn)
    await asyncio.sleep(0.05)
    sink.close()
    assert shown == ["refused", "Still searching"]
