from __future__ import annotations

from datetime import UTC, datetime

from crm_app.graph_query.mail_query import EmailCriteria, build_message_query


def _message(address: str = "john.smith@acme.example", name: str = "John Smith",
             received: str = "2025-02-10T12:00:00Z", is_read: bool = False) -> dict:
    return {
        "id": "m",
        "from": {"emailAddress": {"address": address, "name": name}},
        "receivedDateTime": received,
        "isRead": is_read,
    }


def test_sender_and_dates_share_one_filter() -> None:
    criteria = EmailCriteria(
        sender="John.Smith@acme.example",
        start=datetime(2025, 2, 1, tzinfo=UTC),
        end=datetime(2025, 3, 1, tzinfo=UTC),
        unread_only=True,
    )
    params = build_message_query(criteria, 25).params
    assert params["$filter"] == (
        "receivedDateTime ge 2025-02-01T00:00:00Z and receivedDateTime lt 2025-03-01T00:00:00Z "
        "and from/emailAddress/address eq 'john.smith@acme.example' and isRead eq false"
    )
    assert params["$orderby"] == "receivedDateTime desc"
    assert "$search" not in params
    assert params["$top"] == "25"


def test_sort_property_always_opens_the_filter() -> None:
    params = build_message_query(EmailCriteria(sender="o'brien@initech.example"), 10).params
    assert params["$filter"].startswith("receivedDateTime ge 1900-01-01T00:00:00Z and ")
    assert params["$filter"].endswith("from/emailAddress/address eq 'o''brien@initech.example'")


def test_no_criteria_still_sorted_without_none_values() -> None:
    params = build_message_query(EmailCriteria(), 5).params
    assert params["$filter"] == "receivedDateTime ge 1900-01-01T00:00:00Z"
    assert all(value and value != "None" for value in params.values())


def test_injection_in_sender_stays_a_literal() -> None:
    params = build_message_query(EmailCriteria(sender="x@y.example' or 1 eq 1 or 'a"), 5).params
    assert "eq 'x@y.example'' or 1 eq 1 or ''a'" in params["$filter"]


def test_free_text_uses_search_alone() -> None:
    criteria = EmailCriteria(query="budget review", sender="john.smith@acme.example",
                             start=datetime(2025, 1, 1, tzinfo=UTC), unread_only=True)
    plan = build_message_query(criteria, 10)
    assert plan.params["$search"] == (
        '"from:john.smith@acme.example AND budget AND review AND received>=2024-12-31"'
    )
    assert "$filter" not in plan.params
    assert "$orderby" not in plan.params
    assert plan.page_limit == 10


def test_sender_name_uses_search() -> None:
    plan = build_message_query(EmailCriteria(sender="John Smith"), 10)
    assert plan.params["$search"] == '"from:john AND from:smith"'


def test_query_made_only_of_syntax_matches_nothing() -> None:
    assert build_message_query(EmailCriteria(query="' \" OR ()"), 10).matches_nothing


def test_mismatch_checks_sender_dates_and_unread() -> None:
    criteria = EmailCriteria(
        sender="john.smith@acme.example",
        start=datetime(2025, 2, 1, tzinfo=UTC),
        end=datetime(2025, 3, 1, tzinfo=UTC),
        unread_only=True,
    )
    assert criteria.mismatch(_message()) is None
    assert criteria.mismatch(_message(address="john.baker@globex.example")) == "sender"
    assert criteria.mismatch(_message(received="2025-01-31T23:59:59Z")) == "before start"
    assert criteria.mismatch(_message(received="2025-03-01T00:00:00Z")) == "after end"
    assert criteria.mismatch(_message(is_read=True)) == "already read"


def test_mismatch_for_sender_name_matches_words() -> None:
    criteria = EmailCriteria(sender="john smith")
    assert criteria.mismatch(_message()) is None
    assert criteria.mismatch(_message(address="john.baker@globex.example", name="John Baker")) == "sender"


def test_participants_search_any_of_them_in_one_clause() -> None:
    plan = build_message_query(EmailCriteria(participants=("john.smith@acme.example", "acme.example")), 10)
    assert plan.params["$search"] == '"(participants:john.smith@acme.example OR participants:acme.example)"'
    assert "$filter" not in plan.params and "$orderby" not in plan.params
    single = build_message_query(EmailCriteria(participants=("john.smith@acme.example",), query="budget"), 10)
    assert single.params["$search"] == '"participants:john.smith@acme.example AND budget"'


def test_participants_of_only_syntax_match_nothing() -> None:
    assert build_message_query(EmailCriteria(participants=("' OR ()",)), 10).matches_nothing


def test_mismatch_for_participants_checks_sender_recipients_and_cc() -> None:
    criteria = EmailCriteria(participants=("maria.garcia@acme.example", "globex.example"))
    sent = {**_message(address="avery.chen@northwind.example"),
            "toRecipients": [{"emailAddress": {"address": "Maria.Garcia@acme.example"}}]}
    copied = {**_message(address="avery.chen@northwind.example"),
              "ccRecipients": [{"emailAddress": {"address": "hannah.okafor@globex.example"}}]}
    assert criteria.mismatch(sent) is None
    assert criteria.mismatch(copied) is None
    assert criteria.mismatch(_message(address="john.baker@globex.example")) is None
    assert criteria.mismatch(_message()) == "participants"
    # A domain matches whole domains only, not a longer one that ends the same way.
    assert criteria.mismatch(_message(address="x@notglobex.example")) == "participants"
    assert criteria.mismatch(_message(address="x@globex.example.evil")) == "participants"
