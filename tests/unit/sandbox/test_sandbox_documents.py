"""Rendered file content, HTML/text conversion, time zones, settings."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from crm_app.sandbox.data import office
from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.settings import SandboxSettings
from crm_app.sandbox.text import html_to_text, preview, text_to_html
from crm_app.sandbox.timezones import from_graph, to_graph, windows_name


def test_docx_and_xlsx_are_valid_packages_with_the_text():
    document = zipfile.ZipFile(io.BytesIO(office.render("Q4.docx", "Line one & <two>\nLine three")))
    xml = document.read("word/document.xml").decode()
    assert "Line one &amp; &lt;two&gt;" in xml and "Line three" in xml
    assert "[Content_Types].xml" in document.namelist()
    sheet = zipfile.ZipFile(io.BytesIO(office.render("B.xlsx", "Line,Q1\nNew logos,40000")))
    xml = sheet.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="B2"><v>40000</v></c>' in xml and "New logos" in xml
    assert office.render("a.docx", "x") == office.render("a.docx", "x")


def test_pdf_and_text_files():
    pdf = office.render("Quote.pdf", "Total (USD) 120,000")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF") and b"Total \\(USD\\)" in pdf
    assert office.render("notes.md", "# Title") == b"# Title"
    assert office.mime_type("x.csv") == "text/csv" and office.is_text("x.TXT") and not office.is_text("x.docx")
    assert office.mime_type("x.bin") == "application/octet-stream"


def test_html_to_text_drops_markup_and_script():
    html = ("<html><head><style>p{}</style><title>t</title></head><body><p>Hello <b>there</b></p>"
            "<script>alert(1)</script><p>Line<br>break</p><img src=x onerror=alert(1)></body></html>")
    assert html_to_text(html) == "Hello there\n\nLine\nbreak"
    assert html_to_text("") == ""


def test_text_to_html_escapes_and_preview_is_255_chars():
    html = text_to_html("a < b\nnext")
    assert "a &lt; b<br>" in html and "<script" not in html
    long_text = "word " * 200
    assert len(preview(long_text)) == 255 and preview("  a\n\n b ") == "a b"


def test_time_zones_windows_and_iana():
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert to_graph(moment, "Pacific Standard Time") == {"dateTime": "2026-07-01T05:00:00.0000000",
                                                          "timeZone": "Pacific Standard Time"}
    assert to_graph(moment, "Europe/London")["dateTime"] == "2026-07-01T13:00:00.0000000"
    assert from_graph({"dateTime": "2026-07-01T13:00:00.0000000", "timeZone": "GMT Standard Time"}, "start") == moment
    assert from_graph({"dateTime": "2026-07-01T12:00:00"}, "start") == moment
    assert windows_name("Europe/London") == "GMT Standard Time"
    with pytest.raises(BadRequest):
        to_graph(moment, "Mars Standard Time")
    with pytest.raises(BadRequest):
        from_graph({"dateTime": "tomorrow"}, "start")
    with pytest.raises(BadRequest):
        from_graph("2026-07-01", "start")


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("SANDBOX_PORT", "9123")
    monkeypatch.setenv("SANDBOX_REDIRECT_URIS", "https://app.example/cb, http://x.example/cb")
    monkeypatch.setenv("SANDBOX_NOW", "2026-03-04T10:30:00")
    settings = SandboxSettings()
    assert settings.port == 9123 and settings.browser_url == "http://127.0.0.1:9123"
    assert settings.extra_redirect_uris == ("https://app.example/cb", "http://x.example/cb")
    assert settings.now == datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    assert SandboxSettings(host="0.0.0.0", port=1).browser_url == "http://localhost:1"
    assert SandboxSettings(public_url="https://demo.example/").browser_url == "https://demo.example"
