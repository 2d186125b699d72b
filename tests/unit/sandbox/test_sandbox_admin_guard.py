"""The admin API answers loopback clients only; the app builds with all its routes."""

from __future__ import annotations

from starlette.testclient import TestClient

from crm_app.sandbox.admin import is_loopback
from crm_app.sandbox.app import create_app
from crm_app.sandbox.settings import SandboxSettings


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("10.1.2.3") and not is_loopback(None) and not is_loopback("example.org")


def test_non_loopback_clients_get_403_from_admin_but_health_works():
    app = create_app(SandboxSettings(messages=50))
    with TestClient(app, client=("203.0.113.9", 40000)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        for method, path in (("GET", "/_admin/stats"), ("POST", "/_admin/reset"), ("POST", "/_admin/tokens"),
                             ("GET", "/_admin/issued-tokens"), ("DELETE", "/_admin/faults")):
            response = client.request(method, path)
            assert response.status_code == 403, path
            assert response.json()["error"]["code"] == "Forbidden"
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        assert client.get("/_admin/stats").status_code == 200
