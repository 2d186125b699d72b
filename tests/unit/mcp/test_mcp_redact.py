"""Redaction of tool arguments for the audit trail."""

from __future__ import annotations

from crm_app.mcp.redact import MAX_ITEMS, REDACTED, is_secret_key, redact, scrub_urls, truncate


def test_secret_keys_are_recognised_whatever_their_spelling() -> None:
    for key in (
        "token",
        "access_token",
        "refreshToken",
        "PASSWORD",
        "client-secret",
        "Authorization",
        "api_key",
        "X-Api-Key",
        "apiKey",
        "Set-Cookie",
        "credentials",
        "private_key",
        "auth",
        "pwd",
    ):
        assert is_secret_key(key), key
    for key in ("subject", "author", "body", "keyword", "to", "monkey"):
        assert not is_secret_key(key), key


def test_nested_secrets_are_redacted_and_the_rest_kept() -> None:
    arguments = {
        "to": ["ann@contoso.com"],
        "Password": "hunter2",
        "options": {"headers": {"Authorization": "Bearer abc", "Accept": "json"}, "depth": 2},
        "items": [{"api_key": "k", "name": "n"}, ("cookie", 3)],
    }

    assert redact(arguments) == {
        "to": ["ann@contoso.com"],
        "Password": REDACTED,
        "options": {"headers": {"Authorization": REDACTED, "Accept": "json"}, "depth": 2},
        "items": [{"api_key": REDACTED, "name": "n"}, ["cookie", 3]],
    }
    assert arguments["Password"] == "hunter2"


def test_values_that_look_like_credentials_are_redacted_under_any_key() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    assert redact({"note": "Bearer abc.def"}) == {"note": REDACTED}
    assert redact({"note": "basic dXNlcjpwYXNz"}) == {"note": REDACTED}
    assert redact({"note": jwt}) == {"note": REDACTED}
    assert redact({"note": "Bearers of good news"}) == {"note": "Bearers of good news"}


def test_long_strings_long_lists_and_deep_nesting_are_cut() -> None:
    assert truncate("abc", 5) == "abc"
    assert truncate("a" * 12, 5) == "aaaaa… [7 more characters]"
    assert redact({"body": "x" * 600})["body"] == "x" * 500 + "… [100 more characters]"
    shortened = redact(list(range(MAX_ITEMS + 5)))
    assert shortened[:MAX_ITEMS] == list(range(MAX_ITEMS)) and shortened[-1] == "[5 more items]"
    deep: dict = {}
    node = deep
    for _ in range(12):
        node["next"] = {}
        node = node["next"]
    flattened = str(redact(deep))
    assert "[nested data omitted]" in flattened


def test_non_json_values_become_text() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert redact({"when": Thing(), "n": 1.5, "flag": True, "none": None}) == {
        "when": "thing",
        "n": 1.5,
        "flag": True,
        "none": None,
    }


def test_urls_lose_their_credentials_and_query_strings() -> None:
    text = "ConnectError for url 'https://user:pw@search.example.com/mcp?api_key=abc&x=1' and http://k@h:8/p"
    assert scrub_urls(text) == "ConnectError for url 'https://search.example.com/mcp?[redacted]' and http://h:8/p"
