"""HTML to plain text for bodies that arrive as HTML (scripts and styles dropped, never rendered), and
sentence case for subjects drafted from the user's words.

`strip_markup` is the app's one HTML-to-text step (nh3 removes every tag); `html_to_text` adds tidy whitespace.
"""

from __future__ import annotations

import html
import re

import nh3

DROPPED_WITH_CONTENT = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object"})
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table)\b[^>]*>", re.IGNORECASE)
_WS = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")


def strip_markup(markup: str) -> str:
    """The text of an HTML fragment: a line break after each block and ``<br>``, dropped elements' content gone,
    entities decoded. Whitespace is left as it comes."""
    marked = _BREAK.sub(lambda m: m.group(0) + "\n", markup)
    return html.unescape(nh3.clean(marked, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT),
                                   strip_comments=True))


def tidy_lines(text: str) -> str:
    """Runs of spaces made one, lines trimmed, at most one blank line in a row."""
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    if not markup:
        return ""
    return tidy_lines(strip_markup(markup))


def sentence_case(text: str) -> str:
    """``text`` with its first letter capitalised, unless the word is written in mixed case ("iPhone")."""
    if not text or not text[0].islower() or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].upper() + text[1:]
