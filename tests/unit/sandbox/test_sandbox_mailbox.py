"""The mailbox index: indexed queries give exactly what a full scan with the predicate gives."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sandbox_unit_support import PINNED_NOW

from crm_app.sandbox.errors import NotFound
from crm_app.sandbox.odata.compiler import compile_filter, simple_comparisons
from crm_app.sandbox.odata.kql import compile_search, parse_search
from crm_app.sandbox.odata.options import read_path, sort_items
from crm_app.sandbox.odata.parser import parse_filter
from crm_app.sandbox.odata.schema import MESSAGE
from crm_app.sandbox.odata.values import format_datetime
from crm_app.sandbox.state import SandboxState
from crm_app.sandbox.store.mailbox import MESSAGE_SEARCH_FIELDS, SEARCH_RESULT_LIMIT


@pytest.fixture
def state(tenant, links):
    return SandboxState(tenant, 7, 800, links, PINNED_NOW)


def brute_force(mailbox, folder_id, text, orderby):
    predicate = compile_filter(parse_filter(text), MESSAGE) if text else (lambda d: True)
    rows = [m for m in mailbox.messages.values() if (folder_id is None or m.folder_id == folder_id)
            and predicate(m.data)]
    if not orderby:
        orderby = [("receivedDateTime", True)]
    rows.sort(key=lambda m: m.sort_key(), reverse=orderby[0] == ("receivedDateTime", True))
    if orderby not in ([("receivedDateTime", True)], [("receivedDateTime", False)]):
        rows = sort_items(rows, orderby, lambda m, path: read_path(m.data, path))
    return [m.id for m in rows]


def filters(mailbox, rng):
    senders = sorted({m.sender for m in mailbox.messages.values()})
    for _ in range(60):
        sender = rng.choice(senders)
        since = format_datetime(PINNED_NOW - timedelta(days=rng.randint(0, 200)))
        until = format_datetime(PINNED_NOW - timedelta(days=rng.randint(0, 30)))
        yield rng.choice([
            f"from/emailAddress/address eq '{sender}'",
            f"receivedDateTime ge {since}",
            f"receivedDateTime ge {since} and receivedDateTime lt {until}",
            f"receivedDateTime gt {since} and from/emailAddress/address eq '{sender}'",
            f"from/emailAddress/address eq '{sender}' and isRead eq false",
            f"receivedDateTime le {until} and hasAttachments eq true",
            f"receivedDateTime eq {since}",
            "isRead eq false or importance eq 'high'",
            "contains(subject, 'report')",
            "",
        ])


@pytest.mark.parametrize("folder", [None, "inbox", "archive"])
def test_indexed_queries_equal_full_scans(state, folder):
    mailbox = state.mailbox(state.tenant.main_user)
    folder_id = mailbox.folder(folder).id if folder else None
    rng = random.Random(1)
    for text in filters(mailbox, rng):
        node = parse_filter(text) if text else None
        predicate = compile_filter(node, MESSAGE) if node else None
        for orderby in ([], [("receivedDateTime", False)], [("subject", False), ("receivedDateTime", True)]):
            expected = brute_force(mailbox, folder_id, text, orderby)
            skip, top = rng.choice([(0, 10), (3, 7), (0, 1000)])
            result = mailbox.query(folder_id, predicate, simple_comparisons(node) if node else [], orderby, skip,
                                   top, True)
            assert [m.id for m in result.items] == expected[skip : skip + top], (text, orderby)
            assert result.total == len(expected)
            assert result.more == (len(expected) > skip + top)
            without_count = mailbox.query(folder_id, predicate, simple_comparisons(node) if node else [], orderby,
                                          skip, top, False)
            assert [m.id for m in without_count.items] == expected[skip : skip + top]
            assert without_count.total is None and without_count.more == result.more


def test_add_move_remove_keep_indexes_and_counters(state):
    mailbox = state.mailbox(state.tenant.main_user)
    inbox = mailbox.folder("inbox")
    message = next(m for m in mailbox.messages.values() if m.folder_id == inbox.id and not m.data["isRead"])
    before_total, before_unread = inbox.data["totalItemCount"], inbox.data["unreadItemCount"]
    sender_filter = f"from/emailAddress/address eq '{message.sender}'"
    node = parse_filter(sender_filter)
    mailbox.move(message, "archive")
    assert inbox.data["totalItemCount"] == before_total - 1 and inbox.data["unreadItemCount"] == before_unread - 1
    archived = mailbox.query(mailbox.folder("archive").id, compile_filter(node, MESSAGE), simple_comparisons(node),
                             [], 0, 1000, True)
    assert message in archived.items
    mailbox.set_read(message, True)
    assert mailbox.folder("archive").data["unreadItemCount"] >= 0
    mailbox.remove(message)
    everywhere = mailbox.query(None, compile_filter(node, MESSAGE), simple_comparisons(node), [], 0, 1000, True)
    assert message not in everywhere.items and message.id not in mailbox.messages


def test_search_is_newest_first_and_capped(state):
    mailbox = state.mailbox(state.tenant.main_user)
    found = mailbox.search(None, compile_search(parse_search("report"), MESSAGE_SEARCH_FIELDS))
    assert found and all("report" in (m.search_cache or {})["*"] for m in found)
    assert [m.received for m in found] == sorted((m.received for m in found), reverse=True)
    everything = mailbox.search(None, lambda m: True)
    assert len(everything) == min(SEARCH_RESULT_LIMIT, len(mailbox.messages))


def test_unknown_folder_and_message(state):
    mailbox = state.mailbox(state.tenant.main_user)
    with pytest.raises(NotFound) as caught:
        mailbox.folder("nope")
    assert caught.value.status == 404
    with pytest.raises(NotFound) as caught:
        mailbox.message("AAMkADnope=")
    assert caught.value.code == "ErrorItemNotFound"
