"""An unexpected failure in any chat handler leaves a page the user can act on: the input enabled, the card
saying what happened, the stored card agreeing, no stack trace and nothing sent twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_chat import ask
from tests.e2e.test_faults_browser import chat_with_mailbox, saved_answers

T = 45_000
NOT_RUN = "before the action ran, so nothing happened"


class Injected(RuntimeError):
    """An error no handler expects."""


def boom(*_args, **_kwargs):
    raise Injected("internal detail that must not reach the page")


def stored_confirm(email: str) -> dict:
    """The latest confirmation card as stored, with its action's status."""
    answer = next(m for m in reversed(saved_answers(email)) if any(c["kind"] == "confirm" for c in m.get("cards", [])))
    card = next(c for c in answer["cards"] if c["kind"] == "confirm")
    return {**card, "action_status": answer["actions"][card["id"]]["status"]}


def sent_with(admin, card) -> list[dict]:
    """Messages in Sent Items with the confirmation card's subject (the sandbox is shared by the session's tests)."""
    subject = card.locator(".confirm-subject").inner_text()
    return [m for m in admin.sent_to("john@company.com") if m["subject"] == subject]


def confirm_again_sends_once(page, admin, card) -> None:
    """The card still waits for the user; confirming it now sends the email, once."""
    expect(card).to_contain_text("Waiting for you")
    expect_usable(page)
    assert not sent_with(admin, card)
    card.locator(".confirm-action").click()
    expect(page.locator(".assistant-message").last).to_have_attribute("data-status", "done", timeout=T)
    expect(card).to_contain_text("Done")
    expect(card.locator(".confirm-action")).to_have_count(0)
    assert len(sent_with(admin, card)) == 1


def expect_usable(page) -> None:
    expect(page.locator("#chat-send")).to_be_enabled(timeout=T)
    expect(page.locator("#chat-input")).to_be_editable()
    top_of_input = page.locator("#chat-input").bounding_box()["y"]
    for toast in page.locator("[data-sonner-toast]").all():
        box = toast.bounding_box()
        # notices sit above the input: none covers it or the Send button, however many are stacked
        assert box is None or box["y"] + box["height"] <= top_of_input, f"a notice covers the chat input: {box}"


def test_an_unexpected_error_while_the_action_runs_fails_the_card(page, stack, unique_email, monkeypatch):
    from crm_app.services.assistant.registry import UserTools

    admin = chat_with_mailbox(page, stack, unique_email, "Jam Tester")
    proposal = ask(page, "Send an email to john@company.com about the jammed card")
    card = proposal.locator(".card-confirm")
    monkeypatch.setattr(UserTools, "run", boom)
    card.locator(".confirm-action").click()
    answer = page.locator(".assistant-message").last
    expect(answer).to_have_attribute("data-status", "failed", timeout=T)
    expect(answer.locator(".card-error")).to_contain_text("may not have happened")
    expect(card).to_contain_text("Failed")
    expect(card.locator(".confirm-action")).to_have_count(0)
    expect_usable(page)
    stored = stored_confirm(unique_email)
    assert stored["status"] == "failed" and stored["action_status"] == "failed"
    assert not sent_with(admin, card)


def test_an_unexpected_error_before_the_action_runs_leaves_it_waiting(page, stack, unique_email, monkeypatch):
    from crm_app.services import assistant

    admin = chat_with_mailbox(page, stack, unique_email, "Early Jam Tester")
    proposal = ask(page, "Send an email to john@company.com about the early jam")
    card = proposal.locator(".card-confirm")
    with monkeypatch.context() as patched:
        patched.setattr(assistant, "confirm_and_reply", boom)
        card.locator(".confirm-action").click()
        answer = page.locator(".assistant-message").last
        expect(answer).to_have_attribute("data-status", "failed", timeout=T)
        expect(answer).to_contain_text(NOT_RUN)
    assert stored_confirm(unique_email)["status"] == "pending"
    confirm_again_sends_once(page, admin, card)


@pytest.mark.parametrize("broken", ["log_email_card", "offer_contact"])
def test_an_unexpected_error_on_log_to_crm_leaves_the_chat_usable(page, stack, unique_email, monkeypatch, broken):
    from crm_app.services import assistant

    admin = chat_with_mailbox(page, stack, unique_email, "Log Tester")
    admin.deliver("Partnership idea", "Could we talk next week?", sender=("Nora Stranger", "nora@stranger.example"))
    found = ask(page, "Show me emails from nora@stranger.example")
    email = found.locator(".card-email").first
    expect(email).to_be_visible()
    before = page.locator(".assistant-message").count()
    monkeypatch.setattr(assistant, broken, boom)
    email.locator(".log-to-crm").click()
    if broken == "log_email_card":
        expect(page.get_by_text("Logging the email failed on our side")).to_be_visible(timeout=T)
        expect(page.locator(".assistant-message")).to_have_count(before)
    else:
        answer = page.locator(".assistant-message").last
        expect(page.locator(".assistant-message")).to_have_count(before + 1, timeout=T)
        expect(answer).to_have_attribute("data-status", "failed", timeout=T)
        expect(answer).to_contain_text("Something went wrong on our side")
    expect_usable(page)
    monkeypatch.undo()
    again = ask(page, "Show me emails from nora@stranger.example")
    expect(again).to_have_attribute("data-status", "done")


def test_a_throttled_send_is_confirmed_again_from_its_card_and_sent_once(page, stack, unique_email):
    admin = chat_with_mailbox(page, stack, unique_email, "Retry Tester")
    proposal = ask(page, "Send an email to john@company.com about the second try")
    card = proposal.locator(".card-confirm")
    admin.fault(status=429, burst=1, retry_after=0, path_prefix="/v1.0/me/sendMail")
    try:
        card.locator(".confirm-action").click()
        failed = page.locator(".assistant-message").last
        expect(failed).to_have_attribute("data-status", "failed", timeout=T)
        expect(failed.locator(".card-error")).to_contain_text("press Confirm on the card again")
    finally:
        admin.clear_faults()
    assert stored_confirm(unique_email)["action_status"] == "retryable"
    confirm_again_sends_once(page, admin, card)
    assert stored_confirm(unique_email)["status"] == "done"
