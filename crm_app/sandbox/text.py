"""Conversions between HTML and plain-text bodies, the way Outlook presents them."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup

PREVIEW_LENGTH = 255
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_WHITESPACE = re.compile(r"\s+")
_INVISIBLE_TAGS = ("script", "style", "head", "title", "meta", "noscript", "template")
_BLOCK_TAGS = ("p", "div", "table", "ul", "ol", "blockquote", "pre", "hr", "section", "article", "header",
               "footer", "h1", "h2", "h3", "h4", "h5", "h6")
_LINE_TAGS = ("li", "tr")
_CELL_TAGS = ("td", "th")


def html_to_text(markup: str) -> str:
    """The readable text of an HTML body: no tags, no script or style content, tidy line breaks."""
    if not markup:
        return ""
    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(list(_INVISIBLE_TAGS)):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(list(_BLOCK_TAGS)):
        block.insert_before("\n")
        block.insert_after("\n")
    for line in soup.find_all(list(_LINE_TAGS)):
        line.insert_after("\n")
    for cell in soup.find_all(list(_CELL_TAGS)):
        cell.insert_after(" ")
    text = soup.get_text()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _outlook_document(div_open: str, inner: str) -> str:
    """The HTML document Outlook serves for a body: one `<div>` holding `inner`."""
    return (
        '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n'
        f"</head>\r\n<body>\r\n{div_open}{inner}</div>\r\n</body>\r\n</html>\r\n"
    )


def text_to_html(text: str) -> str:
    """A plain-text body as the HTML document Outlook would serve for it."""
    escaped = html.escape(text).replace("\r\n", "\n").replace("\n", "<br>\r\n")
    return _outlook_document("<div>", escaped)


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """An HTML body made of escaped paragraphs."""
    inner = "".join(f"<p>{html.escape(p)}</p>\r\n" for p in paragraphs)
    return _outlook_document('<div style="font-family:Calibri,Arial,sans-serif;font-size:11pt">\r\n', inner)


def preview(text: str) -> str:
    """``bodyPreview``: the first 255 characters of the text, whitespace collapsed."""
    return _WHITESPACE.sub(" ", text).strip()[:PREVIEW_LENGTH]
