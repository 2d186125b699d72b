"""Email and file bodies as plain text.

HTML is first sanitised with nh3 (scripts, styles and document head dropped with
their content; only structural tags and link targets kept), then rendered to
text with BeautifulSoup: block elements become line breaks, list items get a
dash, links keep their target as `text (url)`, entities are decoded, and
whitespace is normalised.
"""

from __future__ import annotations

import re

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

KEPT_TAGS = frozenset(
    {
        "a", "p", "br", "div", "span", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr", "b", "strong", "i", "em", "u",
        "section", "article", "header", "footer", "caption", "dl", "dt", "dd", "font", "center", "small", "sup",
        "sub", "img",
    }
)
DROPPED_WITH_CONTENT = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object"})
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
BLOCK_TAGS = frozenset(
    {
        "p", "div", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "caption", "dl", "dt", "dd", "center",
    }
)
CELL_TAGS = frozenset({"td", "th"})
INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Unify line endings, drop invisible characters, collapse runs of spaces and blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(INVISIBLE_CHARS)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Plain text of an HTML document or fragment, sanitised and normalised."""
    if not html or not html.strip():
        return ""
    safe = nh3.clean(
        html,
        tags=set(KEPT_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"a": {"href"}, "img": {"alt"}},
        url_schemes=set(LINK_SCHEMES),
        strip_comments=True,
        link_rel=None,
    )
    soup = BeautifulSoup(safe, "html.parser")
    for img in soup.find_all("img"):
        alt = str(img.get("alt") or "").strip()
        img.replace_with(NavigableString(f" [{alt}] ") if alt else NavigableString(""))
    for link in soup.find_all("a"):
        _render_link(link)
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for item in soup.find_all("li"):
        item.insert_before(NavigableString("\n- "))
    for cell in soup.find_all(CELL_TAGS):
        cell.insert_after(NavigableString(" "))
    for block in soup.find_all(BLOCK_TAGS):
        block.insert_before(NavigableString("\n"))
        block.insert_after(NavigableString("\n"))
    return normalise_text(soup.get_text())


def _render_link(link: Tag) -> None:
    href = str(link.get("href") or "").strip()
    text = link.get_text(" ", strip=True)
    target = href[len("mailto:"):] if href.lower().startswith("mailto:") else href
    if not target or target == text:
        link.replace_with(NavigableString(text))
    elif not text:
        link.replace_with(NavigableString(target))
    else:
        link.replace_with(NavigableString(f"{text} ({target})"))
