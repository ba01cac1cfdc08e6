"""The development engine's language model: a trigram model over pre-tokens (words with their leading
space, punctuation, numbers) with backoff to bigrams and unigrams, trained from the project's
Markdown prose by `scripts/train_devengine.py` and shipped as `data/ngram.json.z`.

Generation is a pure function of its inputs: the same prompt, seed and temperature give the same
text. A reply starts from the prompt's most specific word the model knows (else from a paragraph
start), samples the next unit from the counts of the longest known context, and ends at the end of a
paragraph (finish "stop") or after `max_tokens` BPE tokens (finish "length"); `stop` sequences cut
the text before the first one found (finish "stop").
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from icgpu.gateway import tokenizer

MODEL_PATH = Path(__file__).parent / "data" / "ngram.json.z"
END = 0  # unit 0: the paragraph boundary


@dataclass(frozen=True)
class Completion:
    text: str
    token_ids: list[int]  # == tokenizer.encode(text)
    finish_reason: str  # "stop" | "length"


class _Choices:
    """Next units of one context with cumulative counts, for sampling."""

    __slots__ = ("counts", "cumulative", "units")

    def __init__(self, flat: list[int], start: int = 0) -> None:
        self.units = flat[start::2]
        self.counts = flat[start + 1 :: 2]
        self.cumulative = list(itertools.accumulate(self.counts))

    def pick(self, rng: random.Random, temperature: float) -> int:
        if temperature <= 0:
            best = max(range(len(self.counts)), key=lambda i: (self.counts[i], -i))
            return self.units[best]
        if temperature == 1.0:
            x = rng.random() * self.cumulative[-1]
            return self.units[bisect.bisect_right(self.cumulative, x)]
        weights = [c ** (1.0 / temperature) for c in self.counts]
        return rng.choices(self.units, weights=weights)[0]


class NgramModel:
    def __init__(self, data: dict[str, list]) -> None:  # type: ignore[type-arg]
        self.units: list[str] = data["units"]
        self.index = {u: i for i, u in enumerate(self.units)}
        # Rows become samplers on first use: loading stays a JSON parse.
        self._tri_rows = {(row[0], row[1]): row for row in data["tri"]}
        self._bi_rows = {row[0]: row for row in data["bi"]}
        self._tri: dict[tuple[int, int], _Choices] = {}
        self._bi: dict[int, _Choices] = {}
        unigram: dict[int, int] = {}
        for row in data["bi"]:
            for unit, count in zip(row[1::2], row[2::2], strict=True):
                unigram[unit] = unigram.get(unit, 0) + count
        self.uni = _Choices([x for unit in sorted(unigram) for x in (unit, unigram[unit])])
        self.frequency = unigram

    def _choices(self, a: int, b: int) -> _Choices:
        choices = self._tri.get((a, b))
        if choices is None:
            row = self._tri_rows.get((a, b))
            if row is not None:
                choices = self._tri[(a, b)] = _Choices(row, 2)
            else:
                choices = self._bi.get(b)
                if choices is None:
                    bi_row = self._bi_rows.get(b)
                    if bi_row is None:
                        return self.uni
                    choices = self._bi[b] = _Choices(bi_row, 1)
        return choices

    def _next(self, a: int, b: int, rng: random.Random, temperature: float) -> int:
        return self._choices(a, b).pick(rng, temperature)

    def _start(self, prompt: str) -> int | None:
        """The prompt's rarest word (with a leading space, as inside a sentence) the model knows."""
        best: tuple[int, int] | None = None
        for piece in tokenizer.pre_tokens(prompt):
            word = piece.strip().lower()
            if len(word) < 3 or not word.isalpha():
                continue
            unit = self.index.get(" " + word)
            if unit is not None and self.frequency.get(unit, 0) > 1:
                key = (self.frequency[unit], unit)
                if best is None or key < best:
                    best = key
        return None if best is None else best[1]

    def generate(
        self, prompt: str, *, seed: int, max_tokens: int, temperature: float = 1.0, stop: list[str] | None = None
    ) -> Completion:
        rng = random.Random(seed)
        units: list[str] = []
        a, b = END, END
        start = self._start(prompt)
        if start is not None:
            word = self.units[start].lstrip()
            units.append(word[:1].upper() + word[1:])
            a, b = END, start
        ended = False
        approx = sum(tokenizer.count_tokens(u) for u in units)
        ids: list[int] = []
        for _ in range(4 * max_tokens + 64):  # a unit is at least one token: bounded
            if approx > max_tokens:
                ids = tokenizer.encode("".join(units))
                if len(ids) > max_tokens:
                    break
                approx = len(ids)
            unit = self._next(a, b, rng, temperature)
            if unit == END:
                ended = True
                break
            units.append(self.units[unit])
            approx += tokenizer.count_tokens(self.units[unit])
            a, b = b, unit
        ids = tokenizer.encode("".join(units))
        finish = "stop" if ended else "length"
        if len(ids) > max_tokens:
            ids = _canonical_prefix(ids[:max_tokens])
            finish = "length"
        text = tokenizer.decode(ids)
        cut = _first_stop(text, stop or [])
        if cut is not None:
            text = text[:cut]
            ids = tokenizer.encode(text)
            finish = "stop"
        return Completion(text=text, token_ids=ids, finish_reason=finish)


def _canonical_prefix(ids: list[int]) -> list[int]:
    """The longest prefix whose text encodes back to exactly those ids (a cut can split a character
    or leave a piece the tokenizer would merge differently), so usage == count_tokens(text)."""
    while ids:
        try:
            text = tokenizer.token_bytes(ids).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            ids = ids[:-1]
            continue
        if tokenizer.encode(text) == ids:
            return ids
        ids = ids[:-1]
    return ids


def _first_stop(text: str, stop: list[str]) -> int | None:
    found = [i for s in stop if s and (i := text.find(s)) >= 0]
    return min(found) if found else None


_model: NgramModel | None = None
_lock = threading.Lock()


def model() -> NgramModel:
    global _model
    loaded = _model
    if loaded is None:
        with _lock:
            if _model is None:
                _model = NgramModel(json.loads(zlib.decompress(MODEL_PATH.read_bytes())))
            loaded = _model
    return loaded
