"""The foundation in a real browser: accounts, companies, contacts, deals, search, stages, delete, sign out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from bench.stats import submit_form
from tests.e2e.conftest import sign_in, sign_up

T = 30_000


def test_signed_out_visitor_is_sent_to_sign_in(page, stack):
    page.goto(stack.page_url("/contacts"))
    expect(page).to_have_url(re.compile(r"/signin\?next=/contacts"), timeout=T)
    page.goto(stack.page_url("/deals"))
    expect(page).to_have_url(re.compile(r"/signin"), timeout=T)


def test_sign_up_validation_and_wrong_password(page, stack, unique_email):
    submit_form(page, stack.page_url("/signup"), {"#signup-name": "Val Idation", "#signup-email": unique_email,
                                                     "#signup-password": "short", "#signup-password_confirm": "short"},
                  "#signup-submit", "#error-password")
    expect(page.locator("#error-password")).to_contain_text("at least 8", timeout=T)
    submit_form(page, stack.page_url("/signin"), {"#signin-email": unique_email, "#signin-password": "whatever-it-is"},
                  "#signin-submit", "#signin-error")
    expect(page.locator("#signin-error")).to_contain_text("don't match", timeout=T)


def test_crm_end_to_end(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Casey Flow")
    expect(page.locator("#user-name").first).to_have_text("Casey Flow", timeout=T)

    # a company
    page.click("#nav-companies")
    expect(page.locator("#page-title")).to_have_text("Companies", timeout=T)
    page.click("#new-company")
    page.fill("#company-name", "Flowtest Ltd")
    page.fill("#company-domain", "not a domain")
    page.click("#company-form-save")
    expect(page.locator("#error-domain")).to_be_visible(timeout=T)
    page.fill("#company-domain", "flowtest.example")
    page.fill("#company-industry", "Testing")
    page.click("#company-form-save")
    expect(page.locator(".company-row", has_text="Flowtest Ltd")).to_be_visible(timeout=T)

    # a contact at that company; a bad address is refused next to the field
    page.click("#nav-contacts")
    expect(page.locator("#page-title")).to_have_text("Contacts", timeout=T)
    page.click("#new-contact")
    page.fill("#contact-first_name", "Robin")
    page.fill("#contact-last_name", "Flowers")
    page.fill("#contact-emails", "robin-at-flowtest")
    page.select_option("#contact-company_id", label="Flowtest Ltd")
    page.click("#contact-form-save")
    expect(page.locator("#error-emails")).to_contain_text("valid email", timeout=T)
    page.fill("#contact-emails", "robin@flowtest.example")
    page.click("#contact-form-save")
    row = page.locator(".contact-row", has_text="Robin Flowers")
    expect(row).to_be_visible(timeout=T)
    expect(row).to_contain_text("Flowtest Ltd")

    # duplicate address refused
    page.click("#new-contact")
    page.fill("#contact-first_name", "Dup")
    page.fill("#contact-emails", "robin@flowtest.example")
    page.click("#contact-form-save")
    expect(page.locator("#error-emails")).to_contain_text("already belongs to Robin Flowers", timeout=T)
    page.click("#contact-form-cancel")

    # edit
    row.locator("[id^=contact-edit-]").click()
    expect(page.locator("#contact-title")).to_be_visible(timeout=T)
    page.fill("#contact-title", "Head of Flow")
    page.click("#contact-form-save")
    expect(page.locator(".contact-row", has_text="Head of Flow")).to_be_visible(timeout=T)

    # search (server-side)
    page.fill("#contacts-search", "flowtest.example")
    expect(page.locator(".contact-row")).to_have_count(1, timeout=T)
    page.fill("#contacts-search", "zzz-no-such-person")
    expect(page.locator("#contacts-empty")).to_be_visible(timeout=T)
    page.fill("#contacts-search", "")

    # contact detail with a note on the timeline
    page.locator(".contact-row", has_text="Robin Flowers").locator("a", has_text="Robin Flowers").click()
    expect(page.locator("#record-title")).to_have_text("Robin Flowers", timeout=T)
    page.fill("#activity-body", "Met at the flow conference")
    page.click("#activity-add")
    expect(page.locator("#timeline")).to_contain_text("Met at the flow conference", timeout=T)

    # a deal, moved to another stage on the board
    page.click("#nav-deals")
    expect(page.locator("#deal-board")).to_be_visible(timeout=T)
    page.click("#new-deal")
    page.fill("#deal-title", "Flowtest pilot")
    page.fill("#deal-amount", "4200")
    page.select_option("#deal-company_id", label="Flowtest Ltd")
    page.fill("#deal-expected_close", "2027-03-03")
    page.click("#deal-form-save")
    card = page.locator("#stage-lead .deal-card", has_text="Flowtest pilot")
    expect(card).to_be_visible(timeout=T)

    # the record page reads the close date as a date, not as the stored ISO string
    card.locator("a", has_text="Flowtest pilot").click()
    expect(page.locator("#record-title")).to_have_text("Flowtest pilot", timeout=T)
    expect(page.locator(".close-date")).to_have_text("3 Mar 2027", timeout=T)
    expect(page.get_by_text("2027-03-03")).to_have_count(0)
    page.go_back()
    expect(card).to_be_visible(timeout=T)
    card.locator("select").select_option("negotiation")
    expect(page.locator("#stage-negotiation .deal-card", has_text="Flowtest pilot")).to_be_visible(timeout=T)
    expect(page.locator("#stage-lead .deal-card", has_text="Flowtest pilot")).to_have_count(0)

    # delete with confirmation: cancel keeps it, confirm removes it
    moved = page.locator("#stage-negotiation .deal-card", has_text="Flowtest pilot")
    moved.locator("[id^=deal-delete-]").click()
    page.click("#delete-cancel")
    expect(moved).to_be_visible(timeout=T)
    moved.locator("[id^=deal-delete-]").click()
    page.click("#delete-confirm")
    expect(page.locator(".deal-card", has_text="Flowtest pilot")).to_have_count(0, timeout=T)

    # sign out, then pages need signing in again; signing in works
    page.locator("#sign-out").first.click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=T)
    page.goto(stack.page_url("/contacts"))
    expect(page).to_have_url(re.compile(r"/signin"), timeout=T)
    sign_in(page, stack, unique_email)
    expect(page.locator("#page-title")).to_have_text("Home", timeout=T)
    page.click("#nav-contacts")
    expect(page.locator(".contact-row", has_text="Robin Flowers")).to_be_visible(timeout=T)


def test_phone_width_uses_the_menu(page, stack, unique_email):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_up(page, stack, unique_email, name="Pat Phone")
    expect(page.locator("#sidebar")).to_be_hidden()
    page.click("#mobile-menu")
    page.get_by_role("link", name="Deals").last.click()
    expect(page.locator("#page-title")).to_have_text("Deals", timeout=T)
