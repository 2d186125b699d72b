"""Text helpers: HTML to plain text for bodies that arrive as HTML (scripts and styles dropped, never
rendered), and sentence case for subjects drafted from the user's words."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

_WS = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    if not html:
        return ""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta", "noscript", "template", "iframe", "object"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"]):
        block.insert_after("\n")
    text = soup.get_text()
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def sentence_case(text: str) -> str:
    """``text`` with its first letter capitalised, unless the word is written in mixed case ("iPhone")."""
    if not text or not text[0].islower() or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].upper() + text[1:]
