from __future__ import annotations

import io
import logging

from crm_app.ms365_mcp.log_redaction import BearerRedactionFilter, install_redaction, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdmVyeSJ9.c2lnbmF0dXJl"


def test_redact_bearer_jwt_and_token_fields() -> None:
    text = f"Authorization: Bearer {JWT} then bearer abc.def-ghi and access_token={JWT}&x=1 '{JWT}'"
    cleaned = redact(text)
    assert JWT not in cleaned and "abc.def-ghi" not in cleaned
    assert cleaned.count("[REDACTED]") == 4
    assert redact('{"refresh_token": "r-123"}') == '{"refresh_token": "[REDACTED]"}'


def test_filter_redacts_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("ms365-redaction-test")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    install_redaction(logger)
    install_redaction(logger)
    assert sum(isinstance(f, BearerRedactionFilter) for f in handler.filters) == 1
    try:
        logger.warning("headers %s", {"Authorization": "Bearer secret-token-1"})
        try:
            raise RuntimeError("failed with Bearer secret-token-2")
        except RuntimeError:
            logger.exception("call failed for %s", "Bearer secret-token-3")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "secret-token" not in output
    assert "Bearer [REDACTED]" in output
    assert "RuntimeError" in output
