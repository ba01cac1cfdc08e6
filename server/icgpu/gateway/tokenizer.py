"""The project's byte-level BPE tokenizer: counts every prompt the gateway meters, and the tokens of
the development engine.

Text is split into pre-tokens by `PRE_TOKEN` (contractions, words with their leading space, runs of
up to three digits, punctuation runs, whitespace); each pre-token's UTF-8 bytes start as the 256 byte
tokens (ids 0-255) and are merged pairwise by rank with the merges in `devengine/data/bpe_merges.txt`
(merge number i makes token 256 + i). The merges are trained offline from the project's own text by
`scripts/train_devengine.py`; nothing is downloaded. The merges load once, on first use, and every
pre-token's encoding is cached, so a prompt made of words seen before costs a regex scan and dictionary
lookups. `decode(encode(s)) == s` for every string (lone surrogates included).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

MERGES_PATH = Path(__file__).parent / "devengine" / "data" / "bpe_merges.txt"

# Letters are \w without digits and "_"; "_" goes with punctuation, so every character is matched by
# one alternative and the pre-tokens always concatenate back to the text. Words come first: the most
# frequent match (no two alternatives can match at the same position except the two for whitespace).
PRE_TOKEN = re.compile(
    r""" ?[^\W\d_]+|'(?:[sdmt]|ll|ve|re)(?![^\W\d_])| ?\d{1,3}| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
)
# A longer pre-token (a run of letters without a space, a base64 blob) is encoded in pieces of this
# many characters, which keeps the merge loop linear in the input.
MAX_PIECE_CHARS = 64

# Chat overhead, like OpenAI's format: every message costs its text plus these tokens (the role and
# the delimiters around the message), and the reply is primed with REPLY_PRIMING tokens.
TOKENS_PER_MESSAGE = 4
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3

_CACHE_LIMIT = 200_000
# Whole texts counted recently (a chat resends its system prompt and history every turn), bounded by
# their total length.
_TEXT_CACHE_CHARS = 8_000_000
_TEXT_CACHE_MIN = 64  # shorter texts are counted faster than they are hashed and stored
_SEGMENT_CACHE_MAX_CHARS = 256
_ENCODING = "utf-8"
_ERRORS = "surrogatepass"  # lone surrogates round-trip instead of failing


class _Bpe:
    """The loaded merges: ranks for encoding, byte strings for decoding, a per-pre-token cache."""

    def __init__(self, merges: Sequence[tuple[int, int]]) -> None:
        self.ranks: dict[tuple[int, int], int] = {}
        self.vocab: list[bytes] = [bytes([i]) for i in range(256)]
        for i, (a, b) in enumerate(merges):
            if not (0 <= a < 256 + i and 0 <= b < 256 + i):
                raise ValueError(f"merge {i} refers to a token not defined before it: {a} {b}")
            self.ranks[(a, b)] = 256 + i
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self.cache: dict[str, tuple[int, ...]] = {}
        self.segments: dict[str, tuple[int, ...]] = {}
        self.text_counts: dict[str, int] = {}
        self.text_chars = 0

    def encode_piece(self, piece: str) -> tuple[int, ...]:
        ids = self.cache.get(piece)
        if ids is not None:
            return ids
        if len(piece) > MAX_PIECE_CHARS:
            parts: list[int] = []
            for start in range(0, len(piece), MAX_PIECE_CHARS):
                parts.extend(self._merge(piece[start : start + MAX_PIECE_CHARS]))
            ids = tuple(parts)
        else:
            ids = self._merge(piece)
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[piece] = ids
        return ids

    def encode_segment(self, segment: str) -> tuple[int, ...]:
        """The tokens of a segment (see `_segments`), cached when it is short."""
        ids = self.segments.get(segment)
        if ids is not None:
            return ids
        parts: list[int] = []
        for piece in PRE_TOKEN.findall(segment):
            parts.extend(self.encode_piece(piece))
        ids = tuple(parts)
        if len(segment) <= _SEGMENT_CACHE_MAX_CHARS:
            if len(self.segments) >= _CACHE_LIMIT:
                self.segments.clear()
            self.segments[segment] = ids
        return ids

    def _merge(self, piece: str) -> tuple[int, ...]:
        ids = list(piece.encode(_ENCODING, _ERRORS))
        ranks = self.ranks
        while len(ids) > 1:
            best_rank = -1
            best_at = -1
            for i in range(len(ids) - 1):
                rank = ranks.get((ids[i], ids[i + 1]), -1)
                if rank >= 0 and (best_rank < 0 or rank < best_rank):
                    best_rank, best_at = rank, i
            if best_rank < 0:
                break
            pair = (ids[best_at], ids[best_at + 1])
            merged: list[int] = ids[:best_at]
            i = best_at
            while i < len(ids):
                if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
                    merged.append(best_rank)
                    i += 2
                else:
                    merged.append(ids[i])
                    i += 1
            ids = merged
        return tuple(ids)


_bpe: _Bpe | None = None
_lock = threading.Lock()


def read_merges(path: Path) -> list[tuple[int, int]]:
    """The merges file: a `#` comment header, then one merge per line as two token ids."""
    merges: list[tuple[int, int]] = []
    for line in path.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            a, b = line.split()
            merges.append((int(a), int(b)))
    return merges


def _loaded() -> _Bpe:
    global _bpe
    bpe = _bpe
    if bpe is None:
        with _lock:
            if _bpe is None:
                _bpe = _Bpe(read_merges(MERGES_PATH))
            bpe = _bpe
    return bpe


def vocab_size() -> int:
    return len(_loaded().vocab)


def pre_tokens(text: str) -> list[str]:
    return PRE_TOKEN.findall(text)


def _segments(text: str) -> Iterator[str]:
    """The text cut before every space that follows a non-space character. No pre-token crosses
    such a cut (a pre-token that holds a non-space character ends before whitespace, and the space
    starts the next one), and the pre-tokenizer's look-aheads see the same at a segment's end as in
    the whole text (a space, or the end), so the pre-tokens of the segments are those of the text.
    A segment is mostly a word with its leading space: the unit of the segment cache, found by
    `str.split` instead of a regular-expression match per pre-token."""
    start = 0
    pos = -1
    for chunk in text.split(" "):
        if pos > 0 and not text[pos - 1].isspace():
            yield text[start:pos]
            start = pos
        pos += 1 + len(chunk)
    if start < len(text):
        yield text[start:]


def encode(text: str) -> list[int]:
    bpe = _loaded()
    segments = bpe.segments
    out: list[int] = []
    for segment in _segments(text):
        ids = segments.get(segment)
        out.extend(ids if ids is not None else bpe.encode_segment(segment))
    return out


def count_tokens(text: str) -> int:
    bpe = _loaded()
    remember = len(text) >= _TEXT_CACHE_MIN
    if remember:
        known = bpe.text_counts.get(text)
        if known is not None:
            return known
    segments = bpe.segments
    total = 0
    for segment in _segments(text):
        ids = segments.get(segment)
        total += len(ids if ids is not None else bpe.encode_segment(segment))
    if remember:
        if bpe.text_chars + len(text) > _TEXT_CACHE_CHARS:
            bpe.text_counts.clear()
            bpe.text_chars = 0
        bpe.text_counts[text] = total
        bpe.text_chars += len(text)
    return total


def token_bytes(ids: Iterable[int]) -> bytes:
    vocab = _loaded().vocab
    try:
        return b"".join(vocab[i] for i in ids)
    except (IndexError, TypeError) as exc:
        raise ValueError(f"not a token id of this tokenizer (0..{len(vocab) - 1})") from exc


def decode(ids: Iterable[int]) -> str:
    """The text of `ids`; bytes that are not valid UTF-8 (a cut through a character) become U+FFFD."""
    data = token_bytes(ids)
    try:
        return data.decode(_ENCODING, _ERRORS)
    except UnicodeDecodeError:
        return data.decode(_ENCODING, "replace")


def iter_decode(ids: Iterable[int]) -> Iterator[str]:
    """Text pieces, one per token where possible: bytes of a character split over several tokens are
    held until the character is complete. The pieces concatenate to `decode(ids)` for valid text."""
    vocab = _loaded().vocab
    pending = b""
    for i in ids:
        pending += vocab[i]
        try:
            text = pending.decode(_ENCODING, _ERRORS)
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and len(pending) - exc.start < 4:
                continue  # the character goes on in the next token
            text = pending.decode(_ENCODING, "replace")
        pending = b""
        if text:
            yield text
    if pending:
        yield pending.decode(_ENCODING, "replace")


def _content_text(content: Any) -> Iterator[str]:
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                yield part["text"]
            elif isinstance(part, str):
                yield part


def count_chat_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """Prompt tokens of a chat: per message TOKENS_PER_MESSAGE plus its text (a string content, or the
    text parts of a list content; other parts count nothing), a `name` costs its tokens plus
    TOKENS_PER_NAME, an assistant's tool calls cost their function names and arguments; then
    REPLY_PRIMING for the reply. Items that are not objects count as empty messages."""
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        if not isinstance(message, Mapping):
            continue
        for text in _content_text(message.get("content")):
            total += count_tokens(text)
        name = message.get("name")
        if isinstance(name, str):
            total += count_tokens(name) + TOKENS_PER_NAME
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                function = call.get("function") if isinstance(call, Mapping) else None
                if isinstance(function, Mapping):
                    for key in ("name", "arguments"):
                        if isinstance(function.get(key), str):
                            total += count_tokens(function[key])
    return total
