"""OneDrive, SharePoint and Microsoft Search over real HTTP."""

from __future__ import annotations

import io
import zipfile

import httpx
from sandbox_it_support import AVERY, JORDAN

FILES = ["Files.ReadWrite.All", "Sites.Read.All"]


def test_root_children_and_item_shape(graph, sandbox):
    client = graph(AVERY, ["Files.Read"])
    drive = client.get("/me/drive").json()
    assert drive["driveType"] == "business" and drive["owner"]["user"]["email"] == AVERY
    children = client.get("/me/drive/root/children").json()
    names = [c["name"] for c in children["value"]]
    assert names == ["Documents", "Notes", "Reports", "Welcome.txt"]
    documents = children["value"][0]
    assert documents["folder"]["childCount"] == 3 and "@microsoft.graph.downloadUrl" not in documents
    assert documents["parentReference"]["driveId"] == drive["id"]
    welcome = children["value"][3]
    assert welcome["file"]["mimeType"] == "text/plain" and welcome["size"] > 0
    assert welcome["webUrl"] == f"{sandbox.url}/drive/items/{welcome['id']}"
    item = client.get(f"/me/drive/items/{documents['id']}/children").json()["value"]
    assert {i["name"] for i in item} == {"Q4 Report 2026.docx", "Budget 2027.xlsx",
                                         "Acme plant expansion proposal v3.pdf"}
    assert all(i["parentReference"]["path"] == "/drive/root:/Documents" for i in item)
    assert client.get("/me/drive/items/01NOPE").json()["error"]["code"] == "itemNotFound"


def test_my_drives_lists_only_my_onedrive(graph):
    client = graph(AVERY, ["Files.Read"])
    drive = client.get("/me/drive").json()
    drives = client.get("/me/drives").json()
    assert drives["@odata.context"].endswith("$metadata#Collection(drive)")
    assert [d["id"] for d in drives["value"]] == [drive["id"]]
    assert drives["value"][0]["owner"]["user"]["email"] == AVERY
    other = graph(JORDAN, ["Files.Read"]).get("/me/drives").json()["value"]
    assert [d["id"] for d in other] != [drive["id"]] and len(other) == 1
    denied = graph(AVERY, ["Mail.Read"]).get("/me/drives")
    assert denied.status_code == 403


def test_content_redirects_to_a_pre_authenticated_download(graph):
    client = graph(AVERY, ["Files.Read"])
    notes = client.get("/me/drive/root:/Notes/Globex renewal notes.md").json()
    redirect = client.get(f"/me/drive/items/{notes['id']}/content")
    assert redirect.status_code == 302
    download = httpx.get(redirect.headers["location"])
    assert download.status_code == 200 and download.text.startswith("# Globex renewal 2027")
    assert download.headers["content-type"].startswith("text/markdown")
    report = client.get("/me/drive/root:/Documents/Q4 Report 2026.docx:/content", follow_redirects=True)
    document = zipfile.ZipFile(io.BytesIO(report.content)).read("word/document.xml").decode()
    assert "Q4 Report 2026" in document and "Globex renewal 2027" in document
    tampered = redirect.headers["location"][:-3] + "abc"
    assert httpx.get(tampered).status_code == 404
    folder = client.get("/me/drive/root:/Notes:/content")
    assert folder.status_code == 400


def test_path_addressing_search_and_recent(graph):
    client = graph(AVERY, ["Files.Read"])
    listed = client.get("/me/drive/root:/Reports:/children").json()["value"]
    assert {i["name"] for i in listed} == {"Pipeline 2026.csv", "Win-loss analysis.docx"}
    found = client.get("/me/drive/root/search(q='budget 2027')").json()["value"]
    assert {f["name"] for f in found} == {"Budget 2027.xlsx", "Welcome.txt"}
    by_content = client.get("/me/drive/root/search(q='procurement')").json()["value"]
    assert {f["name"] for f in by_content} == {"Meeting notes - Acme.txt", "Acme plant expansion proposal v3.pdf",
                                               "Win-loss analysis.docx", "Q4 Report 2026.docx"}
    assert client.get("/me/drive/root/search(q='o''brien')").status_code == 200
    assert client.get("/me/drive/root/search(q=budget)").status_code == 400
    recent = client.get("/me/drive/recent").json()["value"]
    modified = [r["lastModifiedDateTime"] for r in recent]
    assert recent and modified == sorted(modified, reverse=True) and all("file" in r for r in recent)
    assert client.get("/me/drive/root:/Nope/file.txt").status_code == 404


def test_upload_and_share_with_invitation_mail(graph, admin):
    client = graph(AVERY, ["Files.ReadWrite"])
    created = client.put("/me/drive/root:/Notes/Call summary.txt:/content", content="Acme agreed to two sessions.")
    assert created.status_code == 201 and created.json()["name"] == "Call summary.txt"
    replaced = client.put("/me/drive/root:/Notes/Call summary.txt:/content", content="Updated.")
    assert replaced.status_code == 200 and replaced.json()["size"] == len("Updated.")
    invited = client.post(f"/me/drive/items/{created.json()['id']}/invite", json={
        "recipients": [{"email": JORDAN}, {"email": "partner@partnerco.example"}], "roles": ["write"],
        "requireSignIn": True, "sendInvitation": True, "message": "Please review"})
    assert invited.status_code == 200
    permissions = invited.json()["value"]
    assert permissions[0]["grantedTo"]["user"]["email"] == JORDAN and permissions[0]["roles"] == ["write"]
    assert permissions[1]["invitation"]["email"] == "partner@partnerco.example"
    assert len(client.get(f"/me/drive/items/{created.json()['id']}/permissions").json()["value"]) == 2
    shared = client.get(f"/me/drive/items/{created.json()['id']}").json()
    assert shared["shared"]["scope"] == "users"
    inbox = graph(JORDAN, ["Mail.Read"]).get("/me/messages", params={"$top": "1"}).json()["value"][0]
    assert inbox["subject"] == 'Avery Chen shared "Call summary.txt" with you' and "Please review" in inbox["bodyPreview"]
    sent_to = [m["to"] for m in admin.get("/outbound").json()["messages"]]
    assert [JORDAN] in sent_to and ["partner@partnerco.example"] in sent_to
    bad = client.post(f"/me/drive/items/{created.json()['id']}/invite", json={"recipients": [], "roles": ["read"]})
    assert bad.status_code == 400
    read_only = graph(AVERY, ["Files.Read"]).post(f"/me/drive/items/{created.json()['id']}/invite", json={})
    assert read_only.status_code == 403


def test_sharepoint_sites_and_libraries(graph, sandbox):
    client = graph(AVERY, ["Sites.Read.All"])
    sites = client.get("/sites", params={"search": "finance"}).json()["value"]
    assert [s["name"] for s in sites] == ["Finance"]
    site = client.get(f"/sites/{sites[0]['id']}").json()
    assert site["id"].startswith("northwind.sharepoint.com,") and site["webUrl"] == f"{sandbox.url}/sites/Finance"
    by_path = client.get("/sites/northwind.sharepoint.com:/sites/Sales").json()
    assert by_path["displayName"] == "Sales"
    assert client.get("/sites/root").json()["name"] == "Intranet"
    library = client.get(f"/sites/{site['id']}/drive/root/children").json()["value"]
    assert {"Budget 2027.xlsx", "Q4 Report 2026 - Finance.docx"} <= {i["name"] for i in library}
    assert library[0]["parentReference"]["siteId"] == site["id"]
    drives = client.get(f"/sites/{site['id']}/drives").json()["value"]
    assert drives[0]["driveType"] == "documentLibrary"
    by_drive = client.get(f"/drives/{drives[0]['id']}/root/children").json()["value"]
    assert [i["id"] for i in by_drive] == [i["id"] for i in library]
    assert client.get("/sites/northwind.sharepoint.com,00000000-0000-0000-0000-000000000000,x").status_code == 404
    assert graph(AVERY, ["Files.Read"]).get("/sites", params={"search": "sales"}).status_code == 403


def test_search_query_for_drive_items(graph):
    client = graph(AVERY, FILES)
    response = client.post("/search/query", json={"requests": [{
        "entityTypes": ["driveItem"], "query": {"queryString": "Q4 report"}, "from": 0, "size": 5}]})
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("$metadata#Collection(microsoft.graph.searchResponse)")
    [container] = body["value"][0]["hitsContainers"]
    hits = container["hits"]
    assert hits[0]["resource"]["name"].startswith("Q4 Report 2026") and hits[0]["rank"] == 1
    assert hits[0]["resource"]["@odata.type"] == "#microsoft.graph.driveItem" and "<c0>" in hits[0]["summary"]
    assert container["total"] >= 3 and container["moreResultsAvailable"] == (container["total"] > 5)
    sites = {h["resource"]["parentReference"].get("siteId") for h in hits}
    assert None in sites and len(sites) > 1
    second = client.post("/search/query", json={"requests": [{
        "entityTypes": ["driveItem"], "query": {"queryString": "Q4 report"}, "from": 1, "size": 1}]}).json()
    assert second["value"][0]["hitsContainers"][0]["hits"][0]["hitId"] == hits[1]["hitId"]


def test_search_query_validation_and_other_types(graph):
    client = graph(AVERY, FILES + ["Mail.Read"])
    mixed = client.post("/search/query", json={"requests": [{"entityTypes": ["message", "driveItem"],
                                                             "query": {"queryString": "x"}}]})
    assert mixed.status_code == 400 and "combination" in mixed.json()["error"]["message"]
    assert client.post("/search/query", json={"requests": [{"entityTypes": ["driveItem"]}]}).status_code == 400
    messages = client.post("/search/query", json={"requests": [{"entityTypes": ["message"],
                                                                "query": {"queryString": "globex renewal"}}]}).json()
    hits = messages["value"][0]["hitsContainers"][0]["hits"]
    assert hits and all(h["resource"]["@odata.type"] == "#microsoft.graph.message" for h in hits)
    sites = client.post("/search/query", json={"requests": [{"entityTypes": ["site"],
                                                             "query": {"queryString": "budget"}}]}).json()
    assert sites["value"][0]["hitsContainers"][0]["hits"][0]["resource"]["name"] == "Finance"
    no_calendar = client.post("/search/query", json={"requests": [{"entityTypes": ["event"],
                                                                   "query": {"queryString": "x"}}]})
    assert no_calendar.status_code == 403
