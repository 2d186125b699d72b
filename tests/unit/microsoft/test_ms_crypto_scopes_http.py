"""Secret encryption with key rotation, least-privilege scopes, and the identity HTTP client's mapping."""

from __future__ import annotations

import http.server
import stat
import threading
from typing import ClassVar

import pytest
from cryptography.fernet import Fernet

from crm_app.microsoft.crypto import SecretCipher, get_cipher
from crm_app.microsoft.errors import ConfigurationError, TokenDecryptionFailed
from crm_app.microsoft.http import IdentityHttpClient, origin_of
from crm_app.microsoft.scopes import AREA_SCOPES, BASE_SCOPES, graph_scopes, parse_areas, scopes_for, split_scopes


def test_round_trip_and_ciphertext_hides_the_secret():
    cipher = SecretCipher([Fernet.generate_key().decode()])
    secret = "sbx_at_supersecretvalue"
    sealed = cipher.encrypt(secret)
    assert secret not in sealed
    assert cipher.decrypt(sealed) == secret


def test_rotation_moves_every_value_to_the_newest_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretCipher([old]).encrypt("refresh-token")
    both = SecretCipher([new, old])
    assert both.decrypt(sealed) == "refresh-token"
    assert not both.is_current(sealed)
    rotated = both.rotate(sealed)
    assert both.is_current(rotated)
    assert SecretCipher([new]).decrypt(rotated) == "refresh-token"
    with pytest.raises(TokenDecryptionFailed):
        SecretCipher([new]).decrypt(sealed)


def test_a_wrong_key_says_what_to_do():
    with pytest.raises(TokenDecryptionFailed) as info:
        SecretCipher([Fernet.generate_key().decode()]).decrypt(SecretCipher([Fernet.generate_key().decode()]).encrypt("x"))
    assert "Reconnect" in str(info.value)
    with pytest.raises(ConfigurationError) as bad:
        SecretCipher(["not-a-key"])
    assert "generate-key" in str(bad.value)
    with pytest.raises(ConfigurationError):
        SecretCipher([])


def test_demo_key_is_generated_once_into_an_owner_only_file(app_env):
    first = get_cipher().encrypt("value")
    key_file = app_env / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert get_cipher().decrypt(first) == "value"


def test_configured_keys_win_over_the_demo_file(app_env, monkeypatch):
    from crm_app.settings import reset_settings_cache

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", key)
    reset_settings_cache()
    assert SecretCipher([key]).decrypt(get_cipher().encrypt("v")) == "v"
    assert not (app_env / "data" / "secret.key").exists()


def test_scopes_follow_the_enabled_areas():
    assert scopes_for([]) == list(BASE_SCOPES)
    mail_only = scopes_for(["mail"])
    assert mail_only == [*BASE_SCOPES, *AREA_SCOPES["mail"]]
    assert "Files.ReadWrite" not in mail_only and "Calendars.ReadWrite" not in mail_only
    everything = scopes_for(parse_areas("mail, calendar,files,sharepoint,teams"))
    assert len(everything) == len(set(everything))
    assert not {"openid", "profile", "offline_access"} & set(everything)
    assert not any(scope.endswith(".ReadWrite.All") for scope in everything)


def test_unknown_areas_are_named():
    with pytest.raises(ValueError, match="bogus"):
        parse_areas("mail,bogus")
    assert parse_areas("Teams,MAIL") == ("mail", "teams")


def test_refresh_scopes_drop_what_msal_adds_itself():
    granted = split_scopes("Mail.Read User.Read openid profile offline_access Mail.Read")
    assert granted == ["Mail.Read", "User.Read", "openid", "profile", "offline_access"]
    assert graph_scopes(granted) == ["Mail.Read", "User.Read"]


def test_origins_are_normalised():
    assert origin_of("https://127.0.0.1:443/x") == "https://127.0.0.1"
    assert origin_of("HTTPS://Login.MicrosoftOnline.com/common") == "https://login.microsoftonline.com"
    assert origin_of("http://[::1]:8002/a?b") == "http://[::1]:8002"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(self.path)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def test_mapped_https_authority_is_sent_to_its_loopback_address():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = IdentityHttpClient({f"https://127.0.0.1:{port}": f"http://127.0.0.1:{port}"}, timeout=5)
        assert client.map_url(f"https://127.0.0.1:{port}/common/v2.0/x?y=1") == f"http://127.0.0.1:{port}/common/v2.0/x?y=1"
        assert client.map_url("https://login.microsoftonline.com/common") == "https://login.microsoftonline.com/common"
        response = client.get(f"https://127.0.0.1:{port}/common/v2.0/.well-known/openid-configuration")
        assert response.status_code == 200 and response.json() == {"ok": True}
        assert _Recorder.seen[-1] == "/common/v2.0/.well-known/openid-configuration"
    finally:
        server.shutdown()
        server.server_close()


def test_without_mapping_nothing_is_rewritten():
    client = IdentityHttpClient()
    assert client.map_url("https://127.0.0.1:8002/common") == "https://127.0.0.1:8002/common"
