import logging

from crm_app.logging_setup import RedactingFilter, configure, redact


def test_redacts_tokens_codes_and_secrets():
    line = ('GET /api/v1/integrations/ms365/callback?code=abc123&state=xyz HTTP/1.1 "Authorization: Bearer eyJhbGciOiJ'
            'IUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig" access_token=sbx_at_secret refresh_token: "r-tok" password=hunter2')
    out = redact(line)
    for secret in ("abc123", "xyz", "eyJhbGciOiJIUzI1NiJ9", "sbx_at_secret", "r-tok", "hunter2"):
        assert secret not in out
    assert "/api/v1/integrations/ms365/callback" in out


def test_access_loggers_get_the_filter(caplog):
    configure("INFO")
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactingFilter) for f in access.filters)
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('127.0.0.1 - "GET /cb?code=%s&state=s1 HTTP/1.1" 302', "one-time-code")
    assert "one-time-code" not in caplog.text and "[redacted]" in caplog.text
