"""Mail tools against the sandbox over real HTTP: filters, injection, bodies, paging, sending."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.integration.ms365_mcp.harness import AVERY, JORDAN, Mcp, Sandbox, tool_error

JOHN = "john.smith@acme.example"
OBRIEN = "o'brien@initech.example"


def graph_messages(sandbox: Sandbox, token: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Ground truth: one direct Graph request with a single, correct query."""
    response = httpx.get(f"{sandbox.graph_url}/me/messages", params={**params, "$top": "1000"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    return response.json()["value"]


def received(email: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(email["received_at"])


async def test_sender_and_date_range_return_only_that_sender(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    data = await mcp.data(avery, "outlook_search_emails",
                          {"sender": JOHN, "start": "2025-03-01", "end": "2025-06-15", "top": 50})
    truth = graph_messages(sandbox, avery, {
        "$filter": f"receivedDateTime ge 2025-03-01T00:00:00Z and receivedDateTime lt 2025-06-16T00:00:00Z "
                   f"and from/emailAddress/address eq '{JOHN}'",
        "$select": "id",
    })
    assert data["count"] > 0
    assert {e["from"]["address"] for e in data["emails"]} == {JOHN}
    assert all(datetime(2025, 3, 1).isoformat() <= e["received_at"][:19] < "2025-06-16" for e in data["emails"])
    assert [e["id"] for e in data["emails"]] == [m["id"] for m in truth][:50]
    assert data["has_more"] is (len(truth) > 50)
    assert data["dropped_mismatches"] == 0
    assert all(e["body_kind"] == "preview" and e["web_link"] for e in data["emails"])
    assert [received(e) for e in data["emails"]] == sorted((received(e) for e in data["emails"]), reverse=True)


async def test_sender_with_an_apostrophe(mcp: Mcp, avery: str) -> None:
    data = await mcp.data(avery, "outlook_search_emails", {"sender": OBRIEN})
    assert data["count"] > 0
    assert {e["from"]["address"] for e in data["emails"]} == {OBRIEN}


async def test_injection_attempts_find_nothing(mcp: Mcp, avery: str) -> None:
    attempts = [
        {"sender": "' or 1 eq 1"},
        {"sender": "x@y.example' or isRead eq false or from/emailAddress/address eq 'z"},
        {"sender": f"{JOHN}' or from/emailAddress/address ne '"},
        {"query": "' or 1 eq 1"},
        {"query": 'zzzunmatched" OR "a'},
        {"query": "zzzunmatched OR subject:a"},
    ]
    for arguments in attempts:
        data = await mcp.data(avery, "outlook_search_emails", arguments)
        assert data["count"] == 0, arguments


async def test_free_text_with_sender_and_unread_is_verified(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    data = await mcp.data(avery, "outlook_search_emails", {"query": "proposal", "sender": JOHN, "unread_only": True})
    assert data["count"] > 0
    for email in data["emails"]:
        assert email["from"]["address"] == JOHN and email["is_read"] is False


async def test_empty_values_are_left_out(mcp: Mcp, avery: str) -> None:
    data = await mcp.data(avery, "outlook_search_emails", {"query": "", "sender": "  ", "folder": "", "top": 5})
    assert data["count"] == 5 and data["has_more"] is True


async def test_results_past_one_page(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    """Free text is searched and the unread flag checked here, so filling `top` takes several Graph pages."""
    before = sandbox.requests_to("/v1.0/me/messages")
    data = await mcp.data(avery, "outlook_search_emails", {"query": "avery", "unread_only": True, "top": 40})
    pages = sandbox.requests_to("/v1.0/me/messages") - before
    truth = [m for m in graph_messages(sandbox, avery, {"$search": '"avery"', "$select": "id,isRead"})
             if m["isRead"] is False]
    assert pages >= 2
    assert [e["id"] for e in data["emails"]] == [m["id"] for m in truth][:40]
    assert data["has_more"] is (len(truth) > 40)
    assert data["dropped_mismatches"] > 0
    window = await mcp.data(avery, "outlook_search_emails",
                            {"query": "avery", "start": "2025-02-01", "end": "2025-02-28", "top": 50})
    assert window["count"] > 0
    assert all("2025-02-01" <= e["received_at"] < "2025-03-01" for e in window["emails"])


async def test_list_folders_and_search_a_folder_by_name(mcp: Mcp, avery: str) -> None:
    folders = await mcp.data(avery, "outlook_list_folders")
    names = {f["display_name"] for f in folders["folders"]}
    assert {"Inbox", "Sent Items", "Drafts"} <= names
    sent = await mcp.data(avery, "outlook_search_emails", {"folder": "Sent Items", "top": 5})
    assert {e["from"]["address"] for e in sent["emails"]} == {AVERY}
    missing = await mcp.call(avery, "outlook_search_emails", {"folder": "No such folder"})
    assert tool_error(missing)["code"] == "NotFound"


async def test_html_only_and_empty_bodies(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    marker = uuid.uuid4().hex[:10]
    html = (
        f"<html><head><style>p {{color: red}}</style></head><body><p>Hello&nbsp;<b>Avery</b>,</p>"
        f"<script>alert('x')</script><p>Order {marker} is <a href='https://shop.example/o/1'>ready</a>.</p>"
        "</body></html>"
    )
    rich = sandbox.inject(**{"from": {"name": "Shop", "address": "orders@shop.example"},
                             "subject": f"Order {marker}", "body": html, "content_type": "html"})
    empty = sandbox.inject(**{"from": {"name": "Shop", "address": "orders@shop.example"},
                              "subject": f"Empty {marker}", "body": "", "content_type": "html"})
    full = (await mcp.data(avery, "outlook_get_email", {"message_id": rich["id"]}))["email"]
    assert full["body_kind"] == "full" and full["body_truncated"] is False
    assert full["body"] == f"Hello Avery,\n\nOrder {marker} is ready (https://shop.example/o/1)."
    blank = (await mcp.data(avery, "outlook_get_email", {"message_id": empty["id"]}))["email"]
    assert (blank["body"], blank["body_kind"]) == ("", "empty")
    listed = await mcp.data(avery, "outlook_search_emails", {"query": marker})
    assert {e["body_kind"] for e in listed["emails"]} == {"preview"}
    assert all("<" not in e["body"] for e in listed["emails"])


async def test_get_email_with_attachments_and_unknown_id(mcp: Mcp, avery: str) -> None:
    listed = await mcp.data(avery, "outlook_search_emails", {"sender": JOHN, "top": 50})
    with_files = next(e for e in listed["emails"] if e["has_attachments"])
    email = (await mcp.data(avery, "outlook_get_email", {"message_id": with_files["id"]}))["email"]
    assert email["attachments"] and all(a["name"] for a in email["attachments"])
    assert email["id"] == with_files["id"] and email["web_link"]
    unknown = await mcp.call(avery, "outlook_get_email", {"message_id": "AAMkADdoesnotexist"})
    assert tool_error(unknown)["status"] == 404


async def test_draft_send_and_reply(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    marker = uuid.uuid4().hex[:10]
    draft = await mcp.data(avery, "outlook_create_draft",
                           {"to": [JOHN], "subject": f"Draft {marker}", "body": "Numbers attached."})
    assert draft["status"] == "draft_created" and draft["draft"]["id"]
    drafts = await mcp.data(avery, "outlook_search_emails", {"folder": "drafts", "query": marker})
    assert [e["id"] for e in drafts["emails"]] == [draft["draft"]["id"]]

    sent = await mcp.data(avery, "outlook_send_email",
                          {"to": [JORDAN], "cc": [OBRIEN], "subject": f"Sent {marker}", "body": "See you Monday."})
    assert sent == {"status": "sent", "to": [{"name": "", "address": JORDAN}],
                    "cc": [{"name": "", "address": OBRIEN}], "subject": f"Sent {marker}"}
    outbound = sandbox.admin("GET", "outbound")["messages"]
    assert any(f"Sent {marker}" in str(m) for m in outbound)
    delivered = await mcp.data(sandbox.token(JORDAN), "outlook_search_emails", {"query": marker})
    assert [e["subject"] for e in delivered["emails"]] == [f"Sent {marker}"]

    original = sandbox.inject(**{"from": {"name": "John Smith", "address": JOHN}, "subject": f"Question {marker}",
                                 "body": "Can we meet?"})
    reply = await mcp.data(avery, "outlook_reply_email", {"message_id": original["id"], "comment": "Yes, Tuesday."})
    assert reply["status"] == "replied" and reply["subject"] == f"RE: Question {marker}"
    assert [r["address"] for r in reply["to"]] == [JOHN]
    assert any(m["subject"] == f"RE: Question {marker}" and m["to"] == [JOHN]
               for m in sandbox.admin("GET", "outbound")["messages"])
    copies = await mcp.data(avery, "outlook_search_emails", {"folder": "sentitems", "query": f"question {marker}"})
    copy = (await mcp.data(avery, "outlook_get_email", {"message_id": copies["emails"][0]["id"]}))["email"]
    assert copy["body"].startswith("Yes, Tuesday.") and "Can we meet?" in copy["body"]


async def test_invalid_arguments_are_validation_errors(mcp: Mcp, avery: str) -> None:
    bad = await mcp.call(avery, "outlook_send_email", {"to": ["nobody"], "subject": "x", "body": "y"})
    error = tool_error(bad)
    assert error["code"] == "ValidationError" and "'to.0'" in error["message"]
    bad_top = await mcp.call(avery, "outlook_search_emails", {"top": 0})
    assert "'top'" in tool_error(bad_top)["message"]


async def test_basic_mail_access_never_passes_for_an_empty_body(mcp: Mcp, sandbox: Sandbox) -> None:
    token = sandbox.token(AVERY, scopes=["Mail.ReadBasic"])
    listed = await mcp.data(token, "outlook_search_emails", {"sender": JOHN, "top": 3})
    assert listed["count"] == 3
    assert all(e["body"] == "" and e["body_truncated"] is True for e in listed["emails"])
    error = tool_error(await mcp.call(token, "outlook_get_email", {"message_id": listed["emails"][0]["id"]}))
    assert (error["code"], error["status"]) == ("BodyUnavailable", 403)
    assert "Mail.Read" in error["message"]


async def test_forward_sends_one_email_to_the_given_recipients(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    marker = uuid.uuid4().hex[:10]
    original = sandbox.inject(**{"from": {"name": "John Smith", "address": JOHN}, "subject": f"Figures {marker}",
                                 "body": "The Q3 figures are attached."})
    before = len(sandbox.admin("GET", "outbound")["messages"])
    forwarded = await mcp.data(avery, "outlook_forward_email",
                               {"message_id": original["id"], "to": [JORDAN], "comment": "For your review."})
    assert forwarded == {"status": "forwarded", "message_id": original["id"], "subject": f"FW: Figures {marker}",
                         "to": [{"name": "", "address": JORDAN}]}
    outbound = sandbox.admin("GET", "outbound")["messages"][before:]
    assert [(m["subject"], m["to"]) for m in outbound] == [(f"FW: Figures {marker}", [JORDAN])]
    delivered = await mcp.data(sandbox.token(JORDAN), "outlook_search_emails", {"query": marker})
    [copy] = delivered["emails"]
    body = (await mcp.data(sandbox.token(JORDAN), "outlook_get_email", {"message_id": copy["id"]}))["email"]["body"]
    assert body.startswith("For your review.") and "The Q3 figures are attached." in body
    refused = tool_error(await mcp.call(avery, "outlook_forward_email", {"message_id": original["id"], "to": []}))
    assert refused["code"] == "ValidationError"
    assert len(sandbox.admin("GET", "outbound")["messages"]) == before + 1
