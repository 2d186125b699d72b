"""The allow-list for user-added MCP servers: loopback, private, link-local and their IPv6 and legacy spellings
are refused outside the demo, and so are names that resolve to them (the resolver is injected)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from crm_app.services.errors import ValidationFailed
from crm_app.services.url_policy import HostPolicy, UrlRefused, check_server_url

PUBLIC = "93.184.215.14"


def resolver(table: dict[str, list[str]]):
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        if host not in table:
            raise UrlRefused(f"The host {host} could not be found. Check the server's address.")
        return table[host]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


OPEN = HostPolicy.parse("")
NOBODY = resolver({})


@pytest.mark.parametrize("url,reason", [
    ("http://127.0.0.1:6379/", "loopback"),
    ("http://127.9.9.9/mcp", "loopback"),
    ("http://127.1/mcp", "loopback"),
    ("http://2130706433/mcp", "loopback"),
    ("http://0x7f.0.0.1/mcp", "loopback"),
    ("http://0177.0.0.1/mcp", "loopback"),
    ("http://10.0.0.5/mcp", "private"),
    ("http://172.16.3.4/mcp", "private"),
    ("http://192.168.1.10:8080/mcp", "private"),
    ("http://100.64.0.1/mcp", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://0.0.0.0:8001/mcp", "unspecified"),
    ("http://[::1]:8001/mcp", "loopback"),
    ("http://[0:0:0:0:0:0:0:1]/mcp", "loopback"),
    ("http://[::ffff:127.0.0.1]/mcp", "loopback"),
    ("http://[::ffff:7f00:1]/mcp", "loopback"),
    ("http://[::ffff:169.254.169.254]/mcp", "link-local"),
    ("http://[fe80::1%25eth0]/mcp", "link-local"),
    ("http://[fc00::1]/mcp", "private"),
    ("http://[fd12:3456::1]/mcp", "private"),
    ("http://[2002:7f00:1::1]/mcp", "loopback"),
    ("http://[64:ff9b::a9fe:a9fe]/mcp", "link-local"),
    ("http://[::]/mcp", "unspecified"),
    ("http://224.0.0.1/mcp", "multicast"),
])
def test_non_public_addresses_are_refused_without_asking_a_resolver(url, reason):
    with pytest.raises(UrlRefused, match=reason):
        OPEN.check(url, NOBODY)
    assert NOBODY.asked == []


@pytest.mark.parametrize("addresses,reason", [
    (["127.0.0.1"], "loopback"),
    (["10.1.2.3"], "private"),
    (["169.254.169.254"], "link-local"),
    (["::1"], "loopback"),
    (["fe80::1%eth0"], "link-local"),
    ([PUBLIC, "192.168.0.7"], "private"),  # every address counts, not just the first
    (["2606:4700::1111", "::ffff:10.0.0.1"], "private"),
])
def test_names_resolving_to_non_public_addresses_are_refused(addresses, reason):
    resolve = resolver({"mcp.attacker.example": addresses})
    with pytest.raises(UrlRefused, match=reason) as refused:
        OPEN.check("https://mcp.attacker.example/mcp", resolve)
    assert "mcp.attacker.example resolves to" in str(refused.value)
    assert resolve.asked == ["mcp.attacker.example"]


def test_public_hosts_pass_and_unknown_ones_are_refused():
    resolve = resolver({"mcp.example.com": [PUBLIC, "2606:4700::1111"]})
    OPEN.check("https://mcp.example.com/mcp", resolve)
    OPEN.check(f"https://{PUBLIC}/mcp", resolve)
    with pytest.raises(UrlRefused, match="could not be found"):
        OPEN.check("https://nowhere.example/mcp", resolve)
    with pytest.raises(UrlRefused, match="could not be found"):
        OPEN.check("https://empty.example/mcp", resolver({"empty.example": []}))


def test_allow_list_narrows_hosts_and_a_listed_network_admits_internal_addresses():
    policy = HostPolicy.parse("mcp.example.com, *.tools.example.org, 10.20.0.0/16")
    resolve = resolver({"mcp.example.com": [PUBLIC], "a.tools.example.org": [PUBLIC],
                        "other.example.com": [PUBLIC], "tools.example.org": [PUBLIC],
                        "internal.tools.example.org": ["10.20.1.5"], "sneaky.tools.example.org": ["10.30.0.1"]})
    policy.check("https://mcp.example.com/mcp", resolve)
    policy.check("https://a.tools.example.org/mcp", resolve)
    policy.check("https://internal.tools.example.org/mcp", resolve)
    policy.check("http://10.20.3.4:8000/mcp", resolve)
    for url in ("https://other.example.com/mcp", "https://tools.example.org/mcp", "http://10.30.0.1/mcp",
                "https://mcp.example.com.evil.example/mcp"):
        with pytest.raises(UrlRefused, match="MCP_ALLOWED_HOSTS"):
            policy.check(url, resolve)
    with pytest.raises(UrlRefused, match="private"):
        policy.check("https://sneaky.tools.example.org/mcp", resolve)


def test_demo_allows_loopback_without_resolving_but_keeps_the_allow_list():
    demo = HostPolicy.parse("", allow_internal=True)
    demo.check("http://127.0.0.1:8001/mcp", NOBODY)
    demo.check("http://localhost:8001/mcp", NOBODY)
    assert NOBODY.asked == []
    listed = HostPolicy.parse("mcp.example.com", allow_internal=True)
    with pytest.raises(UrlRefused, match="MCP_ALLOWED_HOSTS"):
        listed.check("http://127.0.0.1:8001/mcp", NOBODY)


def test_settings_form_error_outside_the_demo(monkeypatch):
    from crm_app.settings import reset_settings_cache

    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.setenv("MCP_ALLOWED_HOSTS", "")
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    reset_settings_cache()
    try:
        with pytest.raises(ValidationFailed) as failed:
            check_server_url("http://169.254.169.254/mcp", resolver({}))
        assert set(failed.value.fields) == {"url"} and "link-local" in failed.value.fields["url"]
        check_server_url("https://mcp.example.com/mcp", resolver({"mcp.example.com": [PUBLIC]}))
    finally:
        reset_settings_cache()
