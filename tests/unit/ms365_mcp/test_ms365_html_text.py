from __future__ import annotations

from crm_app.ms365_mcp.html_text import html_to_text, normalise_text
from crm_app.ms365_mcp.mapping import email_full, email_preview


def test_html_is_sanitised_and_rendered_as_text() -> None:
    html = (
        "<html><head><title>Hidden title</title><style>p{color:red}</style></head><body>"
        "<p>Hello&nbsp;<b>John</b> &amp; team,</p><script>alert('x')</script>"
        "<div>See <a href='https://x.example/doc?a=1&amp;b=2'>the doc</a> or "
        "<a href='mailto:a@b.example'>a@b.example</a>.</div>"
        "<ul><li>one</li><li>two</li></ul><!-- secret comment -->Thanks<br>Avery</body></html>"
    )
    text = html_to_text(html)
    assert text == (
        "Hello John & team,\n\nSee the doc (https://x.example/doc?a=1&b=2) or a@b.example.\n\n"
        "- one\n- two\nThanks\nAvery"
    )
    for hidden in ("Hidden title", "color:red", "alert", "secret comment", "<"):
        assert hidden not in text


def test_javascript_links_are_dropped() -> None:
    assert html_to_text("<a href='javascript:alert(1)'>click</a>") == "click"


def test_empty_and_whitespace_html_is_empty() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<div><br>&nbsp;</div>") == ""


def test_normalise_text_collapses_whitespace() -> None:
    assert normalise_text("a \t b\r\n\r\n\r\n\r\nc\u200b ") == "a b\n\nc"


def test_full_email_marks_html_body_full_and_empty_body_empty() -> None:
    base = {"id": "1", "subject": "s", "receivedDateTime": "2025-01-01T10:00:00.0000000Z", "bodyPreview": "x"}
    full = email_full({**base, "body": {"contentType": "html", "content": "<p>Hi <i>there</i></p>"}}, [])
    assert (full.body, full.body_kind, full.body_truncated) == ("Hi there", "full", False)
    assert full.received_at == "2025-01-01T10:00:00Z"
    empty = email_full({**base, "body": {"contentType": "html", "content": "<html><body> </body></html>"}}, [])
    assert (empty.body, empty.body_kind) == ("", "empty")


def test_preview_is_marked_and_truncation_reported() -> None:
    short = email_preview({"id": "1", "bodyPreview": "short"})
    assert (short.body_kind, short.body_truncated) == ("preview", False)
    long = email_preview({"id": "1", "bodyPreview": "x" * 255})
    assert (long.body_kind, long.body_truncated) == ("preview", True)
    dumped = long.model_dump()
    assert "from" in dumped and "from_" not in dumped
