"""The process: health, settings by command line, OpenID discovery, logs without tokens, the 100k mailbox."""

from __future__ import annotations

import httpx
import pytest
from sandbox_it_support import AVERY, TENANT_ID

from tests.support.procs import ServerProcess, free_port


def test_health(sandbox):
    response = httpx.get(f"{sandbox.url}/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("segment", [TENANT_ID, "northwind.example", "common", "organizations"])
def test_openid_configuration(sandbox, segment):
    config = httpx.get(f"{sandbox.url}/{segment}/v2.0/.well-known/openid-configuration").json()
    secure = f"https://127.0.0.1:{sandbox.port}"
    assert config["authorization_endpoint"] == f"{sandbox.url}/{segment}/oauth2/v2.0/authorize"
    assert config["token_endpoint"] == f"{secure}/{segment}/oauth2/v2.0/token"
    assert config["jwks_uri"] == f"{secure}/{segment}/discovery/v2.0/keys"
    expected_tenant = "{tenantid}" if segment in ("common", "organizations") else TENANT_ID
    assert config["issuer"] == f"{secure}/{expected_tenant}/v2.0"
    assert "S256" in config["code_challenge_methods_supported"]


def test_unknown_tenant(sandbox):
    response = httpx.get(f"{sandbox.url}/contoso.example/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_tenant" and body["error_codes"] == [90002]
    assert body["error_description"].startswith("AADSTS90002: Tenant 'contoso.example' not found")


def test_unknown_paths_are_graph_shaped(graph, sandbox):
    response = graph().get("/me/nothing-here")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Resource not found for the segment 'nothing-here'."
    assert httpx.get(f"{sandbox.url}/nowhere").status_code == 404


def test_command_line_settings_and_logs_without_tokens(tmp_path):
    port = free_port()
    server = ServerProcess("crm_app.sandbox", port, args=["--seed", "7", "--messages", "60", "--token-lifetime",
                                                          "5", "--public-url", "http://demo.example:9"],
                           log_path=tmp_path / "sandbox.log")
    with server:
        base = server.url
        config = httpx.get(f"{base}/common/v2.0/.well-known/openid-configuration").json()
        assert config["authorization_endpoint"] == "http://demo.example:9/common/oauth2/v2.0/authorize"
        minted = httpx.post(f"{base}/_admin/tokens", json={"user": AVERY, "scopes": ["Mail.Read"]}).json()
        assert minted["expires_in"] == 5
        headers = {"Authorization": f"Bearer {minted['access_token']}"}
        folders = httpx.get(f"{base}/v1.0/me/mailFolders?includeHiddenFolders=true&$top=50", headers=headers).json()
        assert sum(f["totalItemCount"] for f in folders["value"]) + 2 >= 60
        message = httpx.get(f"{base}/v1.0/me/messages?$top=1", headers=headers).json()["value"][0]
        assert message["webLink"].startswith("http://demo.example:9/owa/")
        refreshed = httpx.post(f"{base}/common/oauth2/v2.0/token", data={
            "grant_type": "refresh_token", "refresh_token": minted["refresh_token"], "client_id": "crm-app-demo",
            "client_secret": "demo-client-secret"}).json()
        assert "access_token" in refreshed
        issued = httpx.get(f"{base}/_admin/issued-tokens").json()["tokens"]
        log = server.read_log()
    assert len(issued) == 4 and "Demo tenant" in log and "GET /v1.0/me/messages" in log
    for entry in issued:
        assert entry["token"] not in log


def test_session_log_never_contains_issued_tokens(sandbox, graph, admin):
    client = graph()
    assert client.get("/me/messages?$top=1").status_code == 200
    item = client.get("/me/drive/root:/Welcome.txt").json()
    assert httpx.get(item["@microsoft.graph.downloadUrl"]).status_code == 200
    tokens = [entry["token"] for entry in admin.get("/issued-tokens").json()["tokens"]]
    log = sandbox.read_log()
    assert tokens and "/_download/..." in log
    assert not [token for token in tokens if token in log]
    assert item["@microsoft.graph.downloadUrl"].rsplit("/", 1)[-1] not in log


def test_a_100000_message_mailbox():
    server = ServerProcess("crm_app.sandbox", free_port(), args=["--messages", "100000"],
                           env={"SANDBOX_NOW": "2026-03-04T10:30:00Z"})
    with server:
        token = httpx.post(f"{server.url}/_admin/tokens", json={"user": AVERY, "scopes": ["Mail.Read"]}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        folders = httpx.get(f"{server.url}/v1.0/me/mailFolders?includeHiddenFolders=true&$top=50",
                            headers=headers).json()["value"]
        children = httpx.get(f"{server.url}/v1.0/me/mailFolders/inbox/childFolders", headers=headers).json()["value"]
        assert sum(f["totalItemCount"] for f in folders + children) == 100_000
        page = httpx.get(f"{server.url}/v1.0/me/messages", headers=headers, params={
            "$filter": "receivedDateTime ge 2026-03-01T00:00:00Z and from/emailAddress/address eq "
                       "'john.smith@acme.example'", "$orderby": "receivedDateTime desc", "$count": "true",
            "$top": "5"}, timeout=30).json()
        assert page["@odata.count"] >= 1 and len(page["value"]) == min(5, page["@odata.count"])
        assert all(m["from"]["emailAddress"]["address"] == "john.smith@acme.example" for m in page["value"])
        assert all(m["receivedDateTime"] >= "2026-03-01T00:00:00Z" for m in page["value"])
