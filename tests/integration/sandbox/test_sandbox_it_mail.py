"""Graph mail contract: shapes, OData, Graph's constraints, Prefer, send, drafts, replies, auth errors."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from sandbox_it_support import AVERY, JORDAN, SAM


def pages(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> list[dict]:
    body = client.get(url, params=params).raise_for_status().json()
    items = list(body["value"])
    while "@odata.nextLink" in body:
        link = body["@odata.nextLink"]
        assert link.startswith("http://127.0.0.1:")
        body = client.get(link).raise_for_status().json()
        items += body["value"]
    return items


def test_list_shape_defaults_and_order(graph, sandbox):
    body = graph().get("/me/messages").json()
    assert body["@odata.context"] == (f"{sandbox.url}/v1.0/$metadata#users('11111111-1111-4111-8111-111111111111')"
                                      "/messages")
    assert len(body["value"]) == 10 and body["@odata.nextLink"].startswith(f"{sandbox.url}/v1.0/me/messages?")
    received = [m["receivedDateTime"] for m in body["value"]]
    assert received == sorted(received, reverse=True)
    message = body["value"][0]
    for key in ("id", "@odata.etag", "subject", "bodyPreview", "body", "from", "toRecipients", "receivedDateTime",
                "isRead", "hasAttachments", "importance", "webLink", "parentFolderId", "conversationId"):
        assert key in message, key
    assert message["webLink"].startswith(f"{sandbox.url}/owa/?ItemID=")


def test_paging_through_everything_with_count(graph):
    client = graph()
    first = client.get("/me/messages", params={"$top": "100", "$count": "true", "$select": "subject"}).json()
    assert first["@odata.count"] == 500
    assert set(first["value"][0]) == {"@odata.etag", "id", "subject"}
    everything = pages(client, "/me/messages", {"$top": "100", "$select": "subject"})
    assert len(everything) == 500 and len({m["id"] for m in everything}) == 500
    assert client.get("/me/messages", params={"$top": "1000"}).json().get("@odata.nextLink") is None


@pytest.mark.parametrize("params, code", [
    ({"$top": "0"}, "BadRequest"),
    ({"$top": "1001"}, "BadRequest"),
    ({"$filter": "subject eq"}, "BadRequest"),
    ({"$filter": "nothing eq 1"}, "BadRequest"),
    ({"$select": "subject,nope"}, "BadRequest"),
    ({"$orderby": "receivedDateTime sideways"}, "BadRequest"),
    ({"$search": '"report"', "$orderby": "receivedDateTime desc"}, "SearchWithOrderBy"),
    ({"$search": '"report"', "$filter": "isRead eq false"}, "SearchWithFilter"),
    ({"$filter": "from/emailAddress/address eq 'john.smith@acme.example'", "$orderby": "receivedDateTime desc"},
     "InefficientFilter"),
    ({"$filter": "isRead eq false and receivedDateTime ge 2026-03-01T00:00:00Z",
      "$orderby": "receivedDateTime desc"}, "InefficientFilter"),
])
def test_graph_constraints_and_malformed_odata(graph, params, code):
    response = graph().get("/me/messages", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])


def test_filters(graph):
    client = graph()
    sender = "john.smith@acme.example"
    by_sender = pages(client, "/me/messages", {"$filter": f"from/emailAddress/address eq '{sender}'", "$top": "50"})
    assert by_sender and all(m["from"]["emailAddress"]["address"] == sender for m in by_sender)
    ordered = client.get("/me/messages", params={
        "$filter": f"receivedDateTime ge 2026-02-01T00:00:00Z and from/emailAddress/address eq '{sender}'",
        "$orderby": "receivedDateTime desc", "$top": "50"}).json()["value"]
    assert ordered and all(m["receivedDateTime"] >= "2026-02-01T00:00:00Z" for m in ordered)
    unread = pages(client, "/me/messages", {"$filter": "isRead eq false and hasAttachments eq true", "$top": "50"})
    assert unread and all(not m["isRead"] and m["hasAttachments"] for m in unread)
    contains = client.get("/me/messages", params={"$filter": "contains(subject, 'quarterly report')"}).json()["value"]
    assert contains and all("quarterly report" in m["subject"].lower() for m in contains)
    starts = client.get("/me/messages", params={
        "$filter": "startswith(from/emailAddress/address, 'hannah') and importance eq 'normal'"}).json()["value"]
    assert starts and all(m["from"]["emailAddress"]["address"].startswith("hannah") for m in starts)
    apostrophe = client.get("/me/messages", params={
        "$filter": "from/emailAddress/address eq 'o''brien@initech.example'"}).json()["value"]
    assert apostrophe and apostrophe[0]["from"]["emailAddress"]["name"] == "Liam O'Brien"
    either = client.get("/me/messages", params={
        "$filter": "(importance eq 'high' or isRead eq false) and not(hasAttachments eq true)",
        "$top": "100"}).json()["value"]
    assert all((m["importance"] == "high" or not m["isRead"]) and not m["hasAttachments"] for m in either)


def test_a_repeated_filter_silently_keeps_only_the_last(graph, sandbox):
    client = graph()
    url = (f"{sandbox.url}/v1.0/me/messages?$filter=from/emailAddress/address%20eq%20'john.smith@acme.example'"
           "&$filter=isRead%20eq%20false&$top=100")
    values = client.get(url).json()["value"]
    assert all(not m["isRead"] for m in values)
    assert {m["from"]["emailAddress"]["address"] for m in values} - {"john.smith@acme.example"}


def test_search(graph):
    client = graph()
    found = client.get("/me/messages", params={"$search": '"quarterly report"', "$top": "50"}).json()
    assert found["value"] and "$skiptoken" in dict(parse_qsl(urlsplit(found["@odata.nextLink"]).query))
    for message in found["value"]:
        text = (message["subject"] + " " + message["body"]["content"]).lower()
        assert "quarterly" in text and "report" in text
    by_sender = client.get("/me/messages", params={"$search": '"from:hannah.okafor@globex.example"'}).json()["value"]
    assert by_sender and all(m["from"]["emailAddress"]["address"] == "hannah.okafor@globex.example" for m in by_sender)
    by_subject = pages(client, "/me/messages", {"$search": '"subject:globex"', "$top": "25"})
    assert by_subject and all("globex" in m["subject"].lower() for m in by_subject)
    received = [m["receivedDateTime"] for m in by_subject]
    assert received == sorted(received, reverse=True)


def test_folders_and_folder_messages(graph):
    client = graph()
    folders = client.get("/me/mailFolders").json()["value"]
    names = {f["displayName"]: f for f in folders}
    assert {"Inbox", "Sent Items", "Drafts", "Deleted Items", "Archive", "Junk Email"} <= set(names)
    inbox = client.get("/me/mailFolders/inbox").json()
    assert inbox["id"] == names["Inbox"]["id"] and inbox["childFolderCount"] == 2
    children = client.get("/me/mailFolders/inbox/childFolders").json()["value"]
    assert {c["displayName"] for c in children} == {"Clients", "Newsletters"}
    in_inbox = pages(client, "/me/mailFolders/inbox/messages", {"$top": "200", "$select": "parentFolderId,isRead"})
    assert len(in_inbox) == inbox["totalItemCount"]
    assert sum(1 for m in in_inbox if not m["isRead"]) == inbox["unreadItemCount"]
    assert {m["parentFolderId"] for m in in_inbox} == {inbox["id"]}
    assert client.get("/me/mailFolders/nope/messages").status_code == 404


def test_get_message_prefer_text_and_body_preview(graph):
    client = graph()
    html = client.get("/me/messages", params={"$filter": "startswith(subject, 'Industry Digest: AI')"}).json()["value"][0]
    assert html["body"]["contentType"] == "html" and "<table" in html["body"]["content"]
    as_text = client.get(f"/me/messages/{html['id']}", headers={"Prefer": 'outlook.body-content-type="text"'})
    assert as_text.headers["preference-applied"] == 'outlook.body-content-type="text"'
    body = as_text.json()["body"]
    assert body["contentType"] == "text" and "<" not in body["content"] and "AI assistants in sales" in body["content"]
    assert as_text.json()["@odata.context"].endswith("/messages/$entity")
    plain = client.get("/me/messages", params={"$filter": "startswith(subject, 'Globex renewal 2027')"}).json()["value"][0]
    assert plain["body"]["contentType"] == "text" and len(plain["body"]["content"]) > 255
    assert plain["bodyPreview"] == " ".join(plain["body"]["content"].split())[:255]
    as_html = client.get(f"/me/messages/{plain['id']}", headers={"Prefer": 'outlook.body-content-type="html"'}).json()
    assert as_html["body"]["contentType"] == "html" and "<br>" in as_html["body"]["content"]
    no_preference = client.get(f"/me/messages/{plain['id']}")
    assert "preference-applied" not in no_preference.headers
    missing = client.get("/me/messages/AAMkADdoesnotexist=")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ErrorItemNotFound"


def test_expand_attachments_and_attachment_endpoints(graph):
    client = graph()
    with_file = client.get("/me/messages", params={"$filter": "subject eq 'Quarterly report draft for review'"}).json()
    message_id = with_file["value"][0]["id"]
    expanded = client.get(f"/me/messages/{message_id}", params={"$expand": "attachments"}).json()
    [attachment] = expanded["attachments"]
    assert attachment["name"] == "Q4 Report 2026.docx" and attachment["contentBytes"]
    listed = client.get(f"/me/messages/{message_id}/attachments").json()["value"]
    single = client.get(f"/me/messages/{message_id}/attachments/{listed[0]['id']}").json()
    assert single["size"] == attachment["size"] > 0


def test_send_mail_lands_in_sent_items_and_the_recipients_inbox(graph, admin):
    avery, jordan = graph(AVERY, ["Mail.Send", "Mail.Read"]), graph(JORDAN, ["Mail.Read"])
    message = {"subject": "Pipeline numbers", "body": {"contentType": "HTML", "content": "<p>Numbers <b>attached</b></p>"},
               "toRecipients": [{"emailAddress": {"address": JORDAN, "name": "Jordan Patel"}}],
               "ccRecipients": [{"emailAddress": {"address": "finance@northwind.example"}}]}
    response = avery.post("/me/sendMail", json={"message": message})
    assert response.status_code == 202 and response.content == b""
    sent = avery.get("/me/mailFolders/sentitems/messages", params={"$top": "1"}).json()["value"][0]
    assert sent["subject"] == "Pipeline numbers" and sent["isRead"] and not sent["isDraft"]
    assert sent["from"]["emailAddress"]["address"] == AVERY
    received = jordan.get("/me/mailFolders/inbox/messages", params={"$top": "1"}).json()["value"][0]
    assert received["subject"] == "Pipeline numbers" and not received["isRead"]
    assert received["bodyPreview"] == "Numbers attached"
    sam = graph(SAM, ["Mail.Read"]).get("/me/messages", params={"$filter": "subject eq 'Pipeline numbers'"}).json()
    assert len(sam["value"]) == 1
    outbound = admin.get("/outbound").json()["messages"][-1]
    assert outbound["to"] == [JORDAN] and outbound["cc"] == ["finance@northwind.example"]


@pytest.mark.parametrize("body, fragment", [
    ({}, "needs a 'message'"),
    ({"message": {"subject": "x"}}, "At least one recipient"),
    ({"message": {"toRecipients": [{"emailAddress": {"address": "not-an-address"}}]}}, "Invalid recipient"),
    ({"message": {"toRecipients": [{"emailAddress": {"address": "a@b.example"}}], "body": {"contentType": "rtf"}}},
     "contentType"),
])
def test_send_mail_validation(graph, body, fragment):
    response = graph(AVERY, ["Mail.Send"]).post("/me/sendMail", json=body)
    assert response.status_code == 400 and fragment in response.json()["error"]["message"]


def test_send_mail_without_saving(graph):
    client = graph(AVERY, ["Mail.Send", "Mail.Read"])
    before = client.get("/me/mailFolders/sentitems").json()["totalItemCount"]
    client.post("/me/sendMail", json={"message": {"subject": "x", "toRecipients": [
        {"emailAddress": {"address": "someone@outside.example"}}]}, "saveToSentItems": False}).raise_for_status()
    assert client.get("/me/mailFolders/sentitems").json()["totalItemCount"] == before


def test_drafts_update_and_send(graph):
    client = graph(AVERY, ["Mail.ReadWrite", "Mail.Send"])
    created = client.post("/me/messages", json={"subject": "Draft", "body": {"contentType": "text", "content": "v1"},
                                                "toRecipients": [{"emailAddress": {"address": JORDAN}}]})
    assert created.status_code == 201
    draft = created.json()
    assert draft["isDraft"] and draft["parentFolderId"] == client.get("/me/mailFolders/drafts").json()["id"]
    updated = client.patch(f"/me/messages/{draft['id']}", json={"subject": "Draft v2",
                                                               "body": {"contentType": "text", "content": "v2"}}).json()
    assert updated["subject"] == "Draft v2" and updated["bodyPreview"] == "v2"
    assert updated["changeKey"] != draft["changeKey"]
    assert client.post(f"/me/messages/{draft['id']}/send").status_code == 202
    assert client.get(f"/me/messages/{draft['id']}").status_code == 404
    assert graph(JORDAN, ["Mail.Read"]).get("/me/messages", params={"$filter": "subject eq 'Draft v2'"}).json()["value"]


def test_patch_read_state_and_flags(graph):
    client = graph(AVERY, ["Mail.ReadWrite"])
    inbox = client.get("/me/mailFolders/inbox").json()
    unread = client.get("/me/mailFolders/inbox/messages", params={"$filter": "isRead eq false", "$top": "1"}).json()
    message_id = unread["value"][0]["id"]
    patched = client.patch(f"/me/messages/{message_id}", json={"isRead": True, "flag": {"flagStatus": "flagged"}})
    assert patched.status_code == 200 and patched.json()["isRead"] and patched.json()["flag"]["flagStatus"] == "flagged"
    assert client.get("/me/mailFolders/inbox").json()["unreadItemCount"] == inbox["unreadItemCount"] - 1
    for body, fragment in (({"subject": "no"}, "cannot be updated after the message has been sent"),
                           ({"isRead": "yes"}, "must be true or false"),
                           ({"receivedDateTime": "2020-01-01T00:00:00Z"}, "read-only")):
        response = client.patch(f"/me/messages/{message_id}", json=body)
        assert response.status_code == 400 and fragment in response.json()["error"]["message"]
    assert client.patch(f"/me/messages/{message_id}", content=b"{nope").json()["error"]["message"].startswith(
        "Unable to read JSON")


def test_reply_forward_move_delete(graph, admin):
    client = graph(AVERY, ["Mail.ReadWrite", "Mail.Send"])
    original = client.get("/me/messages", params={"$filter": "subject eq 'Budget 2027 spreadsheet - first pass'"}
                          ).json()["value"][0]
    assert client.post(f"/me/messages/{original['id']}/reply", json={"comment": "Thanks Morgan"}).status_code == 202
    reply = client.get("/me/mailFolders/sentitems/messages", params={"$top": "1"}).json()["value"][0]
    assert reply["subject"] == "RE: Budget 2027 spreadsheet - first pass"
    assert reply["toRecipients"][0]["emailAddress"]["address"] == "morgan.lee@northwind.example"
    assert reply["conversationId"] == original["conversationId"] and "Thanks Morgan" in reply["bodyPreview"]
    draft = client.post(f"/me/messages/{original['id']}/createForward", json={"Comment": "fyi"})
    assert draft.status_code == 201 and draft.json()["subject"].startswith("FW: ") and draft.json()["isDraft"]
    no_one = client.post(f"/me/messages/{original['id']}/forward", json={"Comment": "fyi"})
    assert no_one.status_code == 400
    forwarded = client.post(f"/me/messages/{original['id']}/forward",
                            json={"Comment": "fyi", "ToRecipients": [{"emailAddress": {"address": SAM}}]})
    assert forwarded.status_code == 202
    assert admin.get("/outbound").json()["messages"][-1]["attachments"] == ["Budget 2027.xlsx"]
    moved = client.post(f"/me/messages/{original['id']}/move", json={"DestinationId": "archive"})
    assert moved.status_code == 201 and moved.json()["parentFolderId"] == client.get("/me/mailFolders/archive").json()["id"]
    assert client.delete(f"/me/messages/{original['id']}").status_code == 204
    deleted = client.get(f"/me/messages/{original['id']}").json()
    assert deleted["parentFolderId"] == client.get("/me/mailFolders/deleteditems").json()["id"]
    assert client.delete(f"/me/messages/{original['id']}").status_code == 204
    assert client.get(f"/me/messages/{original['id']}").status_code == 404


def test_users_path_reaches_only_the_callers_mailbox(graph):
    client = graph(AVERY, ["Mail.Read"])
    assert client.get(f"/users/{AVERY}/messages", params={"$top": "1"}).status_code == 200
    assert client.get("/users/11111111-1111-4111-8111-111111111111/mailFolders").status_code == 200
    other = client.get(f"/users/{JORDAN}/messages")
    assert other.status_code == 403 and other.json()["error"]["code"] == "ErrorAccessDenied"


def test_authentication_and_scope_errors(graph, sandbox, mint):
    bare = httpx.get(f"{sandbox.url}/v1.0/me/messages")
    assert bare.status_code == 401 and bare.json()["error"]["code"] == "InvalidAuthenticationToken"
    forged = httpx.get(f"{sandbox.url}/v1.0/me/messages", headers={"Authorization": "Bearer sbx_at_forged"})
    assert forged.status_code == 401
    calendar_only = graph(AVERY, ["Calendars.Read"])
    denied = calendar_only.get("/me/messages")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "ErrorAccessDenied"
    assert "Mail.Read" in denied.json()["error"]["message"]
    assert graph(AVERY, ["Mail.Read"]).post("/me/sendMail", json={}).status_code == 403
    basic = graph(AVERY, ["Mail.ReadBasic"]).get("/me/messages", params={"$top": "3"}).json()["value"]
    assert basic and all("body" not in m and "bodyPreview" not in m and "subject" in m for m in basic)


def test_next_link_keeps_only_applied_options(graph):
    link = graph().get("/me/messages", params={"$filter": "isRead eq false", "$top": "5", "$select": "subject"}).json()[
        "@odata.nextLink"]
    params = dict(parse_qsl(urlsplit(link).query))
    assert params == {"$filter": "isRead eq false", "$select": "subject", "$top": "5", "$skip": "5"}


def test_mail_sent_in_the_same_second_stays_newest_first(graph):
    client = graph(AVERY, ["Mail.Send", "Mail.Read"])
    for subject in ("first", "second", "third"):
        client.post("/me/sendMail", json={"message": {"subject": subject, "toRecipients": [
            {"emailAddress": {"address": "someone@outside.example"}}]}}).raise_for_status()
    latest = client.get("/me/mailFolders/sentitems/messages", params={"$top": "3", "$select": "subject"}).json()
    assert [m["subject"] for m in latest["value"]] == ["third", "second", "first"]
