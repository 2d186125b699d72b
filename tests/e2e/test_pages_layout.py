"""Pages as the user sees them: the sidebar footer on every page, the deals board at 1440 px (all six stages
on screen, drag and drop and keyboard moves), money and stage labels, checked on real element boxes."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import sign_up
from tests.e2e.layout import VIEWPORTS, layout_problems, set_mode, shot

T = 45_000
PAGES = ["/chat", "/contacts", "/companies", "/deals", "/settings"]
LONG_EMAIL = "a.very.long.mailbox.name.for.layout-{}@subdomain.example-company.com"


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box, "element is not rendered"
    return box


def _apart(a: dict, b: dict) -> bool:
    return (a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1
            or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1)


def test_sidebar_footer_truncates_long_names_on_every_page(page, stack, unique_email):
    email = LONG_EMAIL.format(unique_email.split("@")[0])
    name = "Maximiliana Alexandra Featherstonehaugh-Worthington"
    page.set_viewport_size(VIEWPORTS["desktop"])
    sign_up(page, stack, email, name=name)
    for mode in ("light", "dark"):
        set_mode(page, mode)
        for path in PAGES:
            page.goto(stack.page_url(path))
            box = page.locator("#sidebar #user-box")
            expect(box).to_be_visible(timeout=T)
            shown_name, shown_email = box.locator("#user-name"), box.locator("#user-email")
            sign_out = box.locator("#sign-out")
            expect(shown_email).to_have_attribute("title", email)
            expect(shown_name).to_have_attribute("title", name)
            n, e, s, frame = _box(shown_name), _box(shown_email), _box(sign_out), _box(page.locator("#sidebar"))
            assert _apart(n, s) and _apart(e, s), f"{path}: the name or address runs under the sign-out button"
            assert _apart(n, e), f"{path}: name and address overlap"
            assert e["x"] + e["width"] <= frame["x"] + frame["width"], f"{path}: the address leaves the sidebar"
            assert shown_email.evaluate("(el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow") \
                == "ellipsis", "a long address is cut with an ellipsis"
            assert not layout_problems(box), layout_problems(box)
            shot(page.locator("#sidebar"), f"sidebar-{path.strip('/')}-{mode}")


def _new_deal(page, title: str, amount: str) -> None:
    page.click("#new-deal")
    page.fill("#deal-title", title)
    page.fill("#deal-amount", amount)
    page.click("#deal-form-save")
    expect(page.locator("#stage-lead .deal-card", has_text=title)).to_be_visible(timeout=T)


def test_deals_board_fits_and_moves_by_drag_and_by_keyboard(page, stack, unique_email):
    page.set_viewport_size(VIEWPORTS["desktop"])
    sign_up(page, stack, unique_email, name="Board Tester")
    page.click("#nav-deals")
    expect(page.locator("#deal-board")).to_be_visible(timeout=T)
    _new_deal(page, "Boardtest dragged", "85000")

    columns = page.locator("#deal-board .stage-column")
    expect(columns).to_have_count(6)
    width = page.viewport_size["width"]
    for i in range(6):
        box = _box(columns.nth(i))
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"stage column {i} is off-screen at 1440 px"
    board = page.locator("#deal-board")
    assert board.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1"), "the board needs no sideways scroll at 1440 px"
    labels = [columns.nth(i).locator(".rt-Badge").first.inner_text() for i in range(6)]
    assert labels == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]

    card = page.locator("#stage-lead .deal-card", has_text="Boardtest dragged")
    expect(card).to_contain_text("USD 85,000.00")
    expect(page.locator("#stage-lead .stage-total")).to_contain_text(re.compile(r"USD \d{1,3}(,\d{3})*\.\d{2}"))
    assert not layout_problems(board), layout_problems(board)
    shot(board, "deals-board-desktop")

    # drag and drop to Won
    card.drag_to(page.locator("#stage-won"))
    expect(page.locator("#stage-won .deal-card", has_text="Boardtest dragged")).to_be_visible(timeout=T)
    expect(page.locator("#stage-lead .deal-card", has_text="Boardtest dragged")).to_have_count(0)
    # dropping on its own column changes nothing
    won = page.locator("#stage-won .deal-card", has_text="Boardtest dragged")
    won.drag_to(page.locator("#stage-won"))
    expect(won.locator("select")).to_have_value("won")

    # keyboard: focus the card, ← moves it one stage back, → forward again
    won.focus()
    page.keyboard.press("ArrowLeft")
    back = page.locator("#stage-negotiation .deal-card", has_text="Boardtest dragged")
    expect(back).to_be_visible(timeout=T)
    expect(page.locator("#stage-won .deal-card", has_text="Boardtest dragged")).to_have_count(0)
    back.focus()
    page.keyboard.press("]")
    expect(page.locator("#stage-won .deal-card", has_text="Boardtest dragged")).to_be_visible(timeout=T)

    # a phone shows one column at a time and scrolls sideways, with every column reachable
    page.set_viewport_size(VIEWPORTS["phone"])
    assert board.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the phone board scrolls sideways"
    assert board.evaluate("(el) => getComputedStyle(el).overflowX") == "auto"
    page.locator("#stage-lost").scroll_into_view_if_needed()
    lost = _box(page.locator("#stage-lost"))
    assert lost["x"] >= -1 and lost["x"] + lost["width"] <= VIEWPORTS["phone"]["width"] + 1
    shot(page.locator("#deal-board"), "deals-board-phone")


def test_first_minutes_signin_hint_home_empty_chat_and_no_404(page, stack, unique_email):
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(stack.page_url("/signin"))
    hint = page.locator("#demo-hint")
    expect(hint).to_be_visible(timeout=T)
    expect(hint).to_contain_text("demo@northwind.example")

    sign_up(page, stack, unique_email, name="First Minutes")
    expect(page).to_have_url(re.compile(r"/home"), timeout=T)
    expect(page.locator("#page-title")).to_have_text("Home")
    rows = page.locator("#home-pipeline .pipeline-row")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).locator("a").inner_text() for i in range(4)] == ["Lead", "Qualified", "Proposal", "Negotiation"]
    expect(page.locator("#pipeline-sum")).to_be_visible()
    sums = [x for x in page.locator("#pipeline-sum").inner_text().split("\n") if x.strip()]
    assert sums and all(re.fullmatch(r"[A-Z]{3} \d{1,3}(,\d{3})*\.\d{2}", x.strip()) for x in sums), sums
    expect(page.locator("#home-not-connected")).to_be_visible(timeout=T)
    expect(page.locator("#home-not-connected a")).to_have_attribute("href", "/settings")
    expect(page.locator("#home-meetings")).to_have_count(0)
    expect(page.locator("#home-unread")).to_have_count(0)
    assert not layout_problems(page.locator("#home-page")), layout_problems(page.locator("#home-page"))
    shot(page.locator("#home-page"), "home-not-connected")

    page.click("#nav-chat")
    expect(page.locator("#chat-welcome")).to_be_visible(timeout=T)
    expect(page.locator("#no-conversations")).to_be_visible()
    composer = _box(page.locator("#chat-input"))
    height = page.viewport_size["height"]
    assert composer["y"] + composer["height"] > height - 140, "the input sits at the bottom of an empty chat"
    assert composer["y"] + composer["height"] <= height
    welcome = _box(page.locator("#chat-welcome"))
    assert welcome["y"] + welcome["height"] <= composer["y"], "the welcome does not run under the input"
    shot(page.locator("#chat-page"), "chat-empty")

    page.fill("#chat-input", "Show me emails from john about the pilot")
    page.click("#chat-send")
    title = page.locator(".conversation-title").first
    expect(title).to_be_visible(timeout=T)
    expect(page.locator("#no-conversations")).to_have_count(0)
    clipped = title.evaluate("(el) => el.scrollHeight > el.clientHeight + 1 || "
                             "parseFloat(getComputedStyle(el).lineHeight) < 1.3 * parseFloat(getComputedStyle(el).fontSize)")
    assert not clipped, "conversation titles keep their descenders"
    assert [u for u in missing if u.startswith(stack.url)] == [], missing


def test_home_after_connecting_shows_todays_meetings_and_the_inbox_unread_count(page, stack, unique_email):
    from tests.e2e.test_chat import connect_ms365

    page.set_viewport_size(VIEWPORTS["desktop"])
    sign_up(page, stack, unique_email, name="Home Connected")
    connect_ms365(page, stack)
    page.click("#nav-home")
    expect(page.locator("#home-unread")).to_have_text(re.compile(r"^\d+$"), timeout=T)
    tok = httpx.post(f"{stack.sandbox.url}/_admin/tokens",
                     json={"user": "avery.chen@northwind.example", "scopes": ["Mail.Read"]}).json()["access_token"]
    inbox = httpx.get(f"{stack.sandbox.url}/v1.0/me/mailFolders/inbox", headers={"Authorization": f"Bearer {tok}"}).json()
    expect(page.locator("#home-unread")).to_have_text(str(inbox["unreadItemCount"]))
    expect(page.locator("#home-not-connected")).to_have_count(0)
    expect(page.locator("#home-meetings, #home-no-meetings")).to_have_count(1)
    expect(page.locator("#home-ms365-problem")).to_have_count(0)
    assert not layout_problems(page.locator("#home-page")), layout_problems(page.locator("#home-page"))
    shot(page.locator("#home-page"), "home-connected")
