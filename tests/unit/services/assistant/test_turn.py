"""The turn being built: progress, failure, what follow-ups can refer to."""

from __future__ import annotations

from crm_app.assistant.card_model import Card
from crm_app.services.assistant.turn import Turn, TurnState


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
