"""Tokenising and normalising a chat message while keeping the way back to its original text.

Rules match on :attr:`Utterance.norm` (lower case, accents folded, contractions
expanded, common abbreviations and misspellings corrected, one space between
tokens). Values the user wrote (subjects, note text, names) are cut from the
original message through :meth:`Utterance.original`, so their case and punctuation
survive.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from crm_app.assistant.offline.known_words import KNOWN_WORDS
from crm_app.assistant.offline.vocab import (
    ALIASES,
    CONTRACTIONS,
    MULTIWORD_ALIASES,
    VOCABULARY,
)

_CHUNK = re.compile(r"\S+")
_EMAIL = re.compile(r"^[\w.'+-]+@[\w-]+(?:\.[\w-]+)+$")
_LEADING = "(\"'“‘[<"
_TRAILING = ".,!?;:)\"'”’]>"
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_MIN_TYPO_LENGTH = 4
_LONG_WORD = 8


@dataclass(frozen=True)
class Token:
    """One token: its text and offsets in the original message, and its normal form."""

    text: str
    start: int
    end: int
    norm: str


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=4096)
def correct_word(word: str) -> str:
    """The vocabulary word ``word`` is a likely misspelling of, or ``word`` itself."""
    if (
        len(word) < _MIN_TYPO_LENGTH
        or word in KNOWN_WORDS
        or word in VOCABULARY
        or not word.isalpha()
    ):
        return word
    limit = 2 if len(word) >= _LONG_WORD else 1
    found = process.extractOne(
        word, VOCABULARY, scorer=DamerauLevenshtein.distance, score_cutoff=limit
    )
    if found is None:
        return word
    candidate = found[0]
    if candidate[0] != word[0] and candidate[-1] != word[-1]:
        return word
    return candidate


def _split_chunk(chunk: str, offset: int) -> list[tuple[str, int, int]]:
    """Split leading and trailing punctuation off one whitespace-separated chunk."""
    start, end = 0, len(chunk)
    pieces_before: list[tuple[str, int, int]] = []
    pieces_after: list[tuple[str, int, int]] = []
    while start < end and chunk[start] in _LEADING:
        pieces_before.append((chunk[start], offset + start, offset + start + 1))
        start += 1
    while end > start and chunk[end - 1] in _TRAILING:
        if chunk[end - 1] in "'’" and end - start > 1 and chunk[end - 2].lower() == "s":
            break
        end -= 1
        pieces_after.insert(0, (chunk[end], offset + end, offset + end + 1))
    middle: list[tuple[str, int, int]] = []
    if start < end:
        middle.append((chunk[start:end], offset + start, offset + end))
    return pieces_before + middle + pieces_after


def _normal_form(raw: str, capitalised_inside: bool) -> str:
    word = _fold(raw.translate(_QUOTES))
    if _EMAIL.match(word):
        return word
    if word in CONTRACTIONS:
        return CONTRACTIONS[word]
    if word in ALIASES:
        return ALIASES[word]
    if capitalised_inside:
        return word
    return correct_word(word)


def tokenize(text: str) -> list[Token]:
    """The message's tokens with their normal forms."""
    raw: list[tuple[str, int, int]] = []
    for match in _CHUNK.finditer(text):
        raw.extend(_split_chunk(match.group(), match.start()))
    tokens: list[Token] = []
    for position, (piece, start, end) in enumerate(raw):
        capitalised_inside = position > 0 and piece[:1].isupper()
        tokens.append(Token(piece, start, end, _normal_form(piece, capitalised_inside)))
    merged: list[Token] = []
    for token in tokens:
        if merged:
            pair = (merged[-1].norm, token.norm)
            if pair in MULTIWORD_ALIASES:
                previous = merged.pop()
                merged.append(
                    Token(
                        text[previous.start : token.end],
                        previous.start,
                        token.end,
                        MULTIWORD_ALIASES[pair],
                    )
                )
                continue
        merged.append(token)
    return merged


class Utterance:
    """A message (or a slice of one) as tokens, a normalised string and offsets between them."""

    __slots__ = ("_ends", "_starts", "norm", "source", "tokens")

    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        starts: list[int] = []
        ends: list[int] = []
        parts: list[str] = []
        position = 0
        for token in tokens:
            starts.append(position)
            parts.append(token.norm)
            position += len(token.norm)
            ends.append(position)
            position += 1
        self.norm = " ".join(parts)
        self._starts = starts
        self._ends = ends

    @classmethod
    def parse(cls, text: str) -> Utterance:
        """Tokenise and normalise ``text``."""
        return cls(text, tokenize(text))

    def _token_range(self, start: int, end: int) -> tuple[int, int]:
        first = bisect_right(self._ends, start)
        last = bisect_right(self._starts, end - 1) - 1
        return first, last

    def original(self, start: int, end: int) -> str:
        """The original text behind ``norm[start:end]``, trimmed of outer punctuation and spaces."""
        if start >= end or not self.tokens:
            return ""
        first, last = self._token_range(start, end)
        if first > last:
            return ""
        text = self.source[self.tokens[first].start : self.tokens[last].end]
        return text.strip().strip(" ,;:.!?\"'").strip()

    def source_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Offsets in :attr:`source` of the tokens that ``norm[start:end]`` covers."""
        if start >= end or not self.tokens:
            return None
        first, last = self._token_range(start, end)
        if first > last:
            return None
        return self.tokens[first].start, self.tokens[last].end

    def slice(self, start: int, end: int) -> Utterance:
        """The tokens that ``norm[start:end]`` covers, as an utterance of their own."""
        first, last = self._token_range(start, end)
        return Utterance(self.source, self.tokens[first : last + 1])

    def words(self) -> list[str]:
        """The normalised tokens."""
        return [token.norm for token in self.tokens]
