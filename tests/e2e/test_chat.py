"""The assistant in a real browser: preview cards, the full body on follow-up, a confirmed send that lands
in the sandbox's Sent Items, and an honest error card when the MCP server is down."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import sign_up

T = 45_000


def connect_ms365(page, stack) -> None:
    page.click("#nav-settings")
    page.click("#ms365-connect")
    page.wait_for_url(re.compile(r"/oauth2/v2\.0/authorize"), timeout=T)
    page.check("#user-avery\\.chen")
    page.click("#consent-accept")
    page.wait_for_url(re.compile(r"/settings"), timeout=T)
    expect(page.locator("#ms365-status")).to_contain_text("Connected", timeout=T)


def ask(page, text: str):
    before = page.locator(".assistant-message").count()
    page.fill("#chat-input", text)
    page.click("#chat-send")
    last = page.locator(".assistant-message").nth(before)
    expect(last).to_have_attribute("data-status", re.compile("done|failed"), timeout=T)
    return last


def sent_items(stack) -> list[dict]:
    tok = httpx.post(f"{stack.sandbox.url}/_admin/tokens",
                     json={"user": "avery.chen@northwind.example", "scopes": ["Mail.Read"]}).json()["access_token"]
    r = httpx.get(f"{stack.sandbox.url}/v1.0/me/mailFolders/sentitems/messages",
                  params={"$top": "20", "$select": "subject,toRecipients"}, headers={"Authorization": f"Bearer {tok}"})
    return r.json()["value"]


def test_chat_preview_then_full_body_then_confirmed_send(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Chat Tester")
    connect_ms365(page, stack)
    page.click("#nav-chat")
    expect(page.locator("#chat-input")).to_be_visible(timeout=T)

    reply = ask(page, "Show me emails from John Smith")
    cards = reply.locator(".card-email")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 2
    labels = set()
    for i in range(cards.count()):
        card = cards.nth(i)
        label = card.locator(".body-label").inner_text().strip()
        labels.add(label)
        if label == "Full body":  # a short email whose preview holds all of its text
            assert len(card.locator(".email-body").inner_text()) < 255
        assert (card.locator(".open-full").count() == 1) == (label == "Preview · truncated"), label
    assert "Preview · truncated" in labels
    expect(reply.locator(".progress-chip")).to_have_text(re.compile(r"Searched your mail$"))
    first_subject = cards.first.locator(".email-subject").inner_text()

    full = ask(page, "what does the first one say?")
    expect(full.locator(".card-email .body-label")).to_have_text(re.compile("Full body|No body text"))
    expect(full.locator(".card-email .email-subject")).to_have_text(first_subject)

    proposal = ask(page, "Send an email to john@company.com about our meeting")
    card = proposal.locator(".card-confirm")
    expect(card.locator(".confirm-to")).to_have_text("john@company.com")
    subject = card.locator(".confirm-subject").inner_text()
    assert not any(m["subject"] == subject for m in sent_items(stack)), "nothing is sent before Confirm"
    card.locator(".confirm-action").click()
    done = page.locator(".assistant-message").last
    expect(done).to_have_attribute("data-status", "done", timeout=T)
    expect(done.locator(".assistant-reply")).to_contain_text("Sent")
    expect(done.locator(".progress-chip")).to_have_text(re.compile(r"Sent the email$"))
    expect(card).to_contain_text("Done")
    assert any(m["subject"] == subject and m["toRecipients"][0]["emailAddress"]["address"] == "john@company.com"
               for m in sent_items(stack))

    # the conversation survives a reload
    page.reload()
    expect(page.locator(".card-email").first).to_be_visible(timeout=T)
    expect(page.locator(".user-message", has_text="Show me emails from John Smith")).to_be_visible()


def test_edit_and_cancel_on_a_confirmation(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Edit Tester")
    connect_ms365(page, stack)
    page.click("#nav-chat")
    proposal = ask(page, "Send an email to maria.garcia@acme.example about the revised proposal")
    card = proposal.locator(".card-confirm")
    card.locator(".edit-action").click()
    page.fill("#edit-subject", "Edited subject from the browser")
    page.click("#confirm-edited")
    done = page.locator(".assistant-message").last
    expect(done).to_have_attribute("data-status", "done", timeout=T)
    assert any(m["subject"] == "Edited subject from the browser" for m in sent_items(stack))

    second = ask(page, "Send an email to grace.kim@starklogistics.example about the fleet pilot")
    c2 = second.locator(".card-confirm")
    subject = c2.locator(".confirm-subject").inner_text()
    c2.locator(".cancel-action").click()
    expect(c2).to_contain_text("Cancelled", timeout=T)
    assert not any(m["subject"] == subject for m in sent_items(stack))


def test_mcp_server_down_shows_an_honest_error_card(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Down Tester")
    connect_ms365(page, stack)
    page.click("#nav-chat")
    stack.mcp.stop()
    try:
        reply = ask(page, "Show me emails from the last 3 days")
        expect(reply).to_have_attribute("data-status", "failed")
        expect(reply.locator(".card-error")).to_be_visible()
        expect(reply.locator(".card-email")).to_have_count(0)
        expect(reply.locator(".assistant-reply")).to_contain_text("failed")
    finally:
        stack.mcp.start()
    reply.locator(".card-error .retry").click()
    again = page.locator(".assistant-message").last
    expect(again).to_have_attribute("data-status", "done", timeout=T)
    expect(again.locator(".card-email").first).to_be_visible()
