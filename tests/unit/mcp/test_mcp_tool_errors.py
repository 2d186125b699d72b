"""Parsing the error text tools return."""

from __future__ import annotations

from crm_app.mcp.tool_errors import NO_MESSAGE, parse_tool_error


def test_ms365_json_error_line_is_parsed() -> None:
    text = '{"error": {"code": "ErrorItemNotFound", "status": 404, "message": "The message was not found."}}'
    info = parse_tool_error(text + "\nCheck the message id.")
    assert (info.code, info.status, info.message) == ("ErrorItemNotFound", 404, "The message was not found.")
    assert not info.is_auth_failure


def test_invalid_authentication_token_is_an_auth_failure() -> None:
    info = parse_tool_error('{"error":{"code":"InvalidAuthenticationToken","status":401,"message":"Expired."}}')
    assert info.is_auth_failure and info.code == "InvalidAuthenticationToken"


def test_a_401_status_alone_is_an_auth_failure() -> None:
    info = parse_tool_error('{"error": {"code": "Unauthorized", "status": "401", "message": "No."}}')
    assert info.status == 401 and info.is_auth_failure


def test_a_prefix_before_the_json_is_tolerated() -> None:
    info = parse_tool_error(
        'Error executing tool send_mail: {"error": {"code": "Throttled", "status": 429, "message": "Slow down."}}'
    )
    assert (info.code, info.status, info.message) == ("Throttled", 429, "Slow down.")


def test_plain_text_is_the_message() -> None:
    info = parse_tool_error("  Something broke.\nDetails follow.  ")
    assert info.code is None and info.status is None
    assert info.message == "Something broke.\nDetails follow."


def test_missing_message_falls_back_to_the_rest_or_a_default() -> None:
    assert parse_tool_error('{"error": {"code": "X"}}\nSee the log.').message == "See the log."
    assert parse_tool_error('{"error": {"code": "X", "status": true}}').status is None
    assert parse_tool_error('{"error": {"code": "X"}}').message == NO_MESSAGE
    assert parse_tool_error("").message == NO_MESSAGE


def test_json_that_is_not_an_error_object_is_plain_text() -> None:
    info = parse_tool_error('{"result": 1}')
    assert info.code is None and info.message == '{"result": 1}'
