#!/usr/bin/env python3
"""Train the development engine's shipped model files from the project's own text (offline, pure
Python, deterministic: the same input files give byte-identical outputs).

  .venv/bin/python scripts/train_devengine.py            # writes server/icgpu/gateway/devengine/data/
  .venv/bin/python scripts/train_devengine.py --check    # trains, compares, writes nothing

Only files committed to git are read (HEAD; every file when not in a git checkout).

1. `bpe_merges.txt`: byte-level BPE merges. The corpus is every Markdown file of the repository
   (README.md, docs/, the SDKs' and the provider's docs, bench/) and the server's and SDKs' Python
   sources, split by the runtime tokenizer's pre-tokenizer (`icgpu.gateway.tokenizer.PRE_TOKEN`). The
   most frequent adjacent pair (ties: smallest ids) is merged until MAX_MERGES or no pair occurs
   MIN_PAIR_COUNT times.
2. `ngram.json.z`: a trigram model over pre-tokens (words with their leading space, punctuation,
   numbers) of the Markdown prose: fenced code, tables and headings dropped, each paragraph and list
   item one sequence ending with the end marker. Counts are stored for trigrams and bigrams
   (the backoff); zlib-compressed JSON.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import heapq
import itertools
import json
import re
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from icgpu.gateway.tokenizer import MAX_PIECE_CHARS, PRE_TOKEN  # noqa: E402

DATA = ROOT / "server" / "icgpu" / "gateway" / "devengine" / "data"
MAX_MERGES = 4000
MIN_PAIR_COUNT = 3
SKIP_PARTS = {".venv", "node_modules", "generated", ".git", ".icgpu", "spec", "migrations", ".test-pg", "codegen"}


def _tracked() -> list[str] | None:
    """The files committed to git (HEAD), so that a retrain is reproducible from a commit and never
    reads a work in progress; None outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", "HEAD"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.splitlines()


def _files(patterns: list[str]) -> list[Path]:
    tracked = _tracked()
    candidates = [ROOT / name for name in tracked] if tracked is not None else list(ROOT.rglob("*"))
    found: set[Path] = set()
    for path in candidates:
        rel = path.relative_to(ROOT)
        if (
            path.is_file()
            and any(fnmatch.fnmatch(rel.as_posix(), pattern) for pattern in patterns)
            and not SKIP_PARTS.intersection(rel.parts)
        ):
            found.add(path)
    return sorted(found, key=lambda p: p.relative_to(ROOT).as_posix())


def prose_files() -> list[Path]:
    return _files(["*.md"])  # fnmatch: "*" crosses directories


def source_files() -> list[Path]:
    return _files(["server/*.py", "sdk-python/*.py", "scripts/*.py"])


# --- BPE ---------------------------------------------------------------------------------------------


def _pieces(text: str) -> Iterator[str]:
    for piece in PRE_TOKEN.findall(text):
        for start in range(0, len(piece), MAX_PIECE_CHARS):
            yield piece[start : start + MAX_PIECE_CHARS]


def train_bpe(
    texts: Iterable[str], max_merges: int = MAX_MERGES, min_count: int = MIN_PAIR_COUNT
) -> list[tuple[int, int]]:
    freq: Counter[str] = Counter()
    for text in texts:
        freq.update(_pieces(text))
    words: list[list[int]] = []
    counts: list[int] = []
    for piece, n in sorted(freq.items()):
        words.append(list(piece.encode("utf-8", "surrogatepass")))
        counts.append(n)

    pair_count: Counter[tuple[int, int]] = Counter()
    where: dict[tuple[int, int], set[int]] = {}
    for w, ids in enumerate(words):
        for pair in itertools.pairwise(ids):
            pair_count[pair] += counts[w]
            where.setdefault(pair, set()).add(w)
    heap = [(-n, pair) for pair, n in pair_count.items()]
    heapq.heapify(heap)

    merges: list[tuple[int, int]] = []
    while heap and len(merges) < max_merges:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue  # stale entry; the current count was pushed when it changed
        if -neg < min_count:
            break
        new_id = 256 + len(merges)
        merges.append(pair)
        changed: set[tuple[int, int]] = set()
        for w in sorted(where.pop(pair, ())):
            ids, n = words[w], counts[w]
            for old in itertools.pairwise(ids):
                pair_count[old] -= n
                changed.add(old)
            merged: list[int] = []
            i = 0
            while i < len(ids):
                if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
                    merged.append(new_id)
                    i += 2
                else:
                    merged.append(ids[i])
                    i += 1
            words[w] = merged
            for new in itertools.pairwise(merged):
                pair_count[new] += n
                where.setdefault(new, set()).add(w)
                changed.add(new)
        pair_count.pop(pair, None)
        for p in changed:
            n = pair_count.get(p, 0)
            if n > 0:
                heapq.heappush(heap, (-n, p))
            else:
                pair_count.pop(p, None)
                where.pop(p, None)
    return merges


def merges_text(merges: list[tuple[int, int]], sources: list[Path]) -> str:
    digest = hashlib.sha256("\n".join(p.relative_to(ROOT).as_posix() for p in sources).encode()).hexdigest()[:16]
    lines = [
        "# icgpu byte-level BPE merges: line i makes token 256+i from the two ids on it",
        f"# trained by scripts/train_devengine.py from {len(sources)} project files (list digest {digest})",
    ]
    lines.extend(f"{a} {b}" for a, b in merges)
    return "\n".join(lines) + "\n"


# --- the n-gram model --------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
_EMPHASIS = re.compile(r"\*\*|__")


def paragraphs(markdown: str) -> Iterator[str]:
    """The prose of a Markdown document: paragraphs and list items, one line each."""
    in_fence = False
    current: list[str] = []

    def flush() -> Iterator[str]:
        if current:
            text = " ".join(current).strip()
            current.clear()
            if len(text.split()) >= 4:
                yield text

    for raw in markdown.splitlines():
        if _FENCE.match(raw):
            in_fence = not in_fence
            yield from flush()
            continue
        line = raw.strip()
        if in_fence or not line or line.startswith(("#", "|", "<", ">", "---")):
            yield from flush()
            continue
        if _BULLET.match(raw):
            yield from flush()
            line = _BULLET.sub("", raw).strip()
        line = _EMPHASIS.sub("", _LINK.sub(r"\1", line))
        current.append(line)
    yield from flush()


def train_ngram(texts: Iterable[str]) -> dict[str, object]:
    """Units are pre-tokens; unit 0 is the paragraph boundary (start context and end marker)."""
    index: dict[str, int] = {"": 0}
    tri: Counter[tuple[int, int, int]] = Counter()
    bi: Counter[tuple[int, int]] = Counter()
    for text in texts:
        for para in paragraphs(text):
            seq = [0, 0]
            for unit in PRE_TOKEN.findall(para):
                seq.append(index.setdefault(unit, len(index)))
            seq.append(0)
            for a, b, c in zip(seq, seq[1:], seq[2:], strict=False):
                tri[(a, b, c)] += 1
                bi[(b, c)] += 1
    tri_table: dict[tuple[int, int], list[int]] = {}
    for (a, b, c), n in sorted(tri.items()):
        tri_table.setdefault((a, b), []).extend((c, n))
    bi_table: dict[int, list[int]] = {}
    for (b, c), n in sorted(bi.items()):
        bi_table.setdefault(b, []).extend((c, n))
    return {
        "version": 1,
        "units": list(index),
        "tri": [[a, b, *rest] for (a, b), rest in sorted(tri_table.items())],
        "bi": [[b, *rest] for b, rest in sorted(bi_table.items())],
    }


def ngram_bytes(model: dict[str, object]) -> bytes:
    raw = json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return zlib.compress(raw, 9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="train and compare with the shipped files")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)

    prose = prose_files()
    sources = prose + source_files()
    prose_text = [p.read_text(encoding="utf-8") for p in prose]
    merges = train_bpe(p.read_text(encoding="utf-8") for p in sources)
    outputs = {
        "bpe_merges.txt": merges_text(merges, sources).encode("ascii"),
        "ngram.json.z": ngram_bytes(train_ngram(prose_text)),
    }
    differ = False
    for name, data in outputs.items():
        target = args.out / name
        same = target.exists() and target.read_bytes() == data
        differ |= not same
        print(f"{name}: {len(data)} bytes{'' if same else ' (changed)'}")
        if not args.check and not same:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    print(f"{len(merges)} merges from {len(sources)} files; n-gram from {len(prose)} Markdown files")
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
