"""Every chat card as the user sees it, from real turns against the sandbox: which rows show (and which do
not), and that nothing is cut off, overlapping or off-screen at 1440 px and 390 px, in light and dark."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_up
from tests.e2e.layout import check_everywhere, row_labels
from tests.e2e.test_chat import T, ask, connect_ms365, sent_items


def start(page, stack, email: str, name: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_up(page, stack, email, name=name)
    connect_ms365(page, stack)
    page.click("#nav-chat")
    expect(page.locator("#chat-input")).to_be_visible(timeout=T)


def assert_clean(page, targets: dict, prefix: str) -> None:
    problems = check_everywhere(page, targets, prefix)
    assert not problems, "\n".join(f"{where}: {p}" for where, ps in problems.items() for p in ps)


def test_email_cards_preview_full_and_empty(page, stack, unique_email):
    start(page, stack, unique_email, "Mail Cards")
    listing = ask(page, "Show me emails from John Smith")
    cards = listing.locator(".card-email")
    expect(cards.first).to_be_visible()
    preview = next(cards.nth(i) for i in range(cards.count())
                   if cards.nth(i).locator(".body-label").inner_text().strip() == "Preview · truncated")
    assert row_labels(preview)[:1] == ["From"] and "Date" in row_labels(preview)
    assert set(row_labels(preview)) <= {"From", "To", "Cc", "Date"}
    sender = preview.locator(".email-from").inner_text()
    assert sender.count("@") == 1, f"the sender's address shows once: {sender!r}"
    expect(preview.locator(".open-full")).to_be_visible()
    # the date reads in the same size as From and To
    sizes = preview.evaluate("(c) => [...c.querySelectorAll('.card-row .card-value')].map(e => getComputedStyle(e).fontSize)")
    assert len(set(sizes)) == 1, sizes

    full = ask(page, "what does the first one say?")
    full_card = full.locator(".card-email")
    expect(full_card).to_have_count(1)
    expect(full_card.locator(".body-label")).to_have_text("Full body")
    expect(full_card.locator(".open-full")).to_have_count(0)

    empty = ask(page, "Show me emails from Dev Sharma")
    quick = empty.locator(".card-email", has_text="Quick call?")
    expect(quick.locator(".body-label")).to_have_text("No body text")
    expect(quick).to_contain_text("This email has no body text.")
    expect(quick.locator(".open-full")).to_have_count(0)
    assert_clean(page, {"preview": preview, "full": full_card, "empty": quick}, "email")


def test_event_file_site_team_and_crm_cards(page, stack, unique_email):
    start(page, stack, unique_email, "Workspace Cards")
    events = ask(page, "Show me this week's meetings").locator(".card-event")
    expect(events.first).to_be_visible()
    event = events.first
    assert row_labels(event)[0] == "Starts" and set(row_labels(event)) <= {"Starts", "Ends", "Where", "Organizer", "Attendees"}

    files = ask(page, "List my recent OneDrive files").locator(".card-file")
    expect(files.first).to_be_visible()
    assert set(row_labels(files.first)) <= {"Folder", "Modified", "By"}

    sites = ask(page, "What SharePoint sites do I have access to?").locator(".card-site")
    expect(sites.first).to_be_visible()
    teams = ask(page, "what teams am I in?").locator(".card-team")
    expect(teams.first).to_be_visible()

    deal = ask(page, "show me the Acme deal").locator(".card-crm")
    expect(deal.first).to_be_visible()
    subtitle = deal.first.inner_text()
    assert re.search(r"[A-Z]{3} \d{1,3}(,\d{3})+\.\d{2}", subtitle), f"amounts are grouped: {subtitle!r}"
    assert not re.search(r"[A-Z]{3} \d{4,}", subtitle), subtitle
    assert_clean(page, {"event": event, "file": files.first, "site": sites.first, "team": teams.first, "crm": deal.first},
                 "workspace")


CONFIRMATIONS = [
    # request, the rows the card shows (in order), nothing else
    ("Send an email to john@company.com about the row check", ["To", "Subject"]),
    ("draft an email to John Smith about the Q2 forecast", ["To", "Subject"]),
    ("Schedule a meeting with maria.garcia@acme.example next Monday at 2pm about the proposal",
     ["Subject", "When", "Attendees", "Text"]),  # Text: the default length, which Edit changes
    ("post 'Demo moved to 3pm' in the General channel of the Sales team", ["Channel"]),
    ("move the Acme deal to negotiation", ["Record", "Stage"]),
    ("add a note to the Acme deal: customer wants a 5% discount", ["Record", "Text"]),
    ("remind me to call John Smith tomorrow", ["When", "Text"]),
    ("create a contact Jane Roe jane@roe.io at Roe Inc", ["Record", "First name", "Last name", "Emails", "Company"]),
    ("update John Smith's phone to +44 20 7946 0999", ["Record", "Phone"]),
    ("delete the contact Ethan Brooks", ["Record", "Text"]),
]


def test_each_confirmation_shows_only_its_own_rows(page, stack, unique_email):
    start(page, stack, unique_email, "Confirm Cards")
    seen = {}
    for text, rows in CONFIRMATIONS:
        card = ask(page, text).locator(".card-confirm")
        expect(card).to_have_count(1)
        assert sorted(row_labels(card)) == sorted(rows), f"{text!r}: {row_labels(card)}"
        expect(card.locator(".confirm-action")).to_be_visible()
        seen[text.split(" ")[0].lower() + "-" + str(len(seen))] = card
    assert_clean(page, seen, "confirm")
    for card in seen.values():
        card.locator(".cancel-action").click()
        expect(card).to_contain_text("Cancelled", timeout=T)


def test_reply_and_share_confirmations(page, stack, unique_email):
    start(page, stack, unique_email, "Reply Share")
    ask(page, "Show me emails from John Smith")
    reply = ask(page, "reply to the first one saying I'll review it tomorrow").locator(".card-confirm")
    expect(reply).to_have_count(1)
    assert row_labels(reply) == ["To", "Subject"]
    expect(reply.locator(".confirm-body")).to_have_text("I'll review it tomorrow")
    share = ask(page, "Share the budget spreadsheet with the finance team").locator(".card-confirm")
    expect(share).to_have_count(1)
    assert row_labels(share) == ["File", "Share with", "Access"]
    assert_clean(page, {"reply": reply, "share": share}, "confirm")


def test_sent_result_is_a_card_and_error_card_is_honest(page, stack, unique_email):
    start(page, stack, unique_email, "Sent Card")
    proposal = ask(page, "Send an email to john@company.com about the sent card")
    card = proposal.locator(".card-confirm")
    subject = card.locator(".confirm-subject").inner_text()
    before = page.locator(".assistant-message").count()
    card.locator(".confirm-action").click()
    done = page.locator(".assistant-message").nth(before)
    expect(done).to_have_attribute("data-status", "done", timeout=T)
    sent = done.locator(".card-sent")
    expect(sent).to_have_count(1)
    expect(sent.locator(".sent-title")).to_have_text("Email sent")
    expect(sent.locator(".sent-to")).to_have_text("john@company.com")
    expect(sent.locator(".sent-subject")).to_have_text(subject)
    assert row_labels(sent) == ["To", "Subject"], "no empty Cc row"
    expect(done).not_to_contain_text("cc: ,")
    expect(done.locator(".card-text")).to_have_count(0)
    assert sum(m["subject"] == subject for m in sent_items(stack)) == 1

    stack.mcp.stop()
    try:
        failed = ask(page, "Show me emails from the last 3 days")
        error = failed.locator(".card-error")
        expect(error).to_be_visible()
        expect(failed.locator(".card-email")).to_have_count(0)
        assert_clean(page, {"sent": sent, "error": error}, "result")
    finally:
        stack.mcp.start()

    before = page.locator(".assistant-message").count()
    sent.locator(".show-folder").click()
    folder = page.locator(".assistant-message").nth(before)
    expect(folder).to_have_attribute("data-status", "done", timeout=T)
    expect(folder.locator(".card-email", has_text=subject).first).to_be_visible()


def test_channel_post_forward_and_log_cards(page, stack, unique_email):
    start(page, stack, unique_email, "Teams Cards")
    channels = ask(page, "list the channels of the Sales team").locator(".card-channel")
    expect(channels.first).to_be_visible()
    expect(channels.first).to_contain_text("General")
    posts = ask(page, "what's new in the sales general channel").locator(".card-post")
    expect(posts.first).to_be_visible()
    assert posts.first.inner_text().strip(), "a post shows its text"

    ask(page, "Show me emails from John Smith")
    forward = ask(page, "forward the first one to jane@roe.io").locator(".card-confirm")
    expect(forward).to_have_count(1)
    assert sorted(row_labels(forward)) == sorted(["To", "Subject", "Text"]), row_labels(forward)
    expect(forward).to_contain_text("jane@roe.io")
    expect(forward.locator(".confirm-subject")).to_contain_text("FW:")
    log = ask(page, "log the first one to the Acme deal").locator(".card-confirm")
    expect(log).to_have_count(1)
    assert sorted(row_labels(log)) == sorted(["Record", "Subject", "Text"]), row_labels(log)
    expect(log).to_contain_text("Deal: Acme plant expansion")
    assert_clean(page, {"channel": channels.first, "post": posts.first, "forward": forward, "log": log}, "teams")
    for card in (forward, log):
        card.locator(".cancel-action").click()
        expect(card).to_contain_text("Cancelled", timeout=T)
    assert not [m for m in sent_items(stack) if m["subject"].startswith("FW:")], "a cancelled forward sends nothing"
