"""The project's byte-level BPE tokenizer (icgpu.gateway.tokenizer) and its training script."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from icgpu.gateway import tokenizer
from icgpu.gateway.devengine import textgen

pytestmark = pytest.mark.db_independent

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    "",
    "a",
    "Hello, world!",
    "The control plane reconciles instances; it doesn't keep state in memory.",
    "emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷 and a flag",
    "CJK: 日本語のテキスト、中文文本\uff0c한국어 텍스트",
    "accents é vs e\u0301 (combining), ß, ﬁ ligature, Ω",
    "controls: tab\there, cr\r\nlf, bell\x07, escape\x1b[0m, del\x7f, unit sep\x1f",
    "   leading and trailing spaces   \n\n\n  ",
    "snake_case __dunder__ a_b_c  _",
    "numbers 1234567890 3.14159 -42 1e10 ٣٤٥ ²³",
    'JSON {"model": "llama-3-8b", "messages": [{"role": "user"}], "max_tokens": 16}',
    "def f(x):\n    return x ** 2  # comment\n",
    "RTL עברית العربية mixed",
    "lone surrogate \ud83d and a private use \ue000 and \U0010fffd",
    "x" * 1000,
    "supercalifragilisticexpialidocious" * 20,
]


@pytest.mark.parametrize("text", CASES)
def test_decode_of_encode_is_the_text(text: str) -> None:
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert tokenizer.count_tokens(text) == len(ids)
    assert "".join(tokenizer.pre_tokens(text)) == text
    assert all(0 <= i < tokenizer.vocab_size() for i in ids)


@pytest.mark.parametrize("text", [c for c in CASES if "\ud83d" not in c])
def test_streamed_pieces_join_to_the_text(text: str) -> None:
    pieces = list(tokenizer.iter_decode(tokenizer.encode(text)))
    assert "".join(pieces) == text
    assert all(pieces)  # a character split over tokens is held back, never sent as U+FFFD


def test_merges_compress_the_projects_text() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    # A byte-level BPE trained on this text needs far fewer tokens than bytes.
    assert len(ids) < len(text.encode("utf-8")) / 3
    # Common words are single tokens, a made-up one is split.
    assert len(tokenizer.encode(" instance")) == 1
    assert len(tokenizer.encode(" the")) == 1
    assert len(tokenizer.encode(" zqxjvwk")) > 2


def test_counts_are_stable() -> None:
    # The counts the gateway bills: a change to the merges changes these, deliberately visible here.
    text = "The control plane reconciles instances."
    first = tokenizer.encode(text)
    tokenizer._loaded().cache.clear()
    assert tokenizer.encode(text) == first
    assert [tokenizer.decode([i]) for i in first] == ["The", " control", " plane", " re", "concil", "es",
                                                      " instances", "."]
    assert tokenizer.count_tokens("Hello, world!") == 8  # words the project's text rarely uses
    assert tokenizer.count_tokens("日本語") == len(tokenizer.encode("日本語")) >= 3


def _reference_encode(text: str) -> list[int]:
    """Encoding by the definition: every pre-token of the whole text, merged."""
    bpe = tokenizer._loaded()
    return [i for piece in tokenizer.PRE_TOKEN.findall(text) for i in bpe._merge(piece)]


def test_segmented_encoding_equals_the_definition() -> None:
    # encode() cuts the text at spaces (and caches per segment) instead of matching pre-tokens over the
    # whole text: on every string, including whitespace runs and look-ahead corners, it must agree.
    rng = random.Random(11)
    alphabet = [*"ab Z9_.,'\t\n\r -é日😀\x0b\x1c\u2028\u00a0\u3000", "'s", "  ", " \n", "\n ", "'ll", "   ", "'re"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))
        assert tokenizer.encode(text) == _reference_encode(text), repr(text)
        assert tokenizer.count_tokens(text) == len(_reference_encode(text))
    for case in CASES:
        if len(case) <= tokenizer.MAX_PIECE_CHARS:
            assert tokenizer.encode(case) == _reference_encode(case)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tokenizer.encode(readme) == _reference_encode(readme)


def test_a_long_run_without_spaces_is_encoded_in_pieces() -> None:
    blob = "QUJD" * 25_000  # 100 000 characters of base64-like letters: no quadratic merge loop
    ids = tokenizer.encode(blob)
    assert tokenizer.decode(ids) == blob
    assert len(ids) <= len(blob)


def test_bad_token_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        tokenizer.decode([tokenizer.vocab_size()])
    with pytest.raises(ValueError):
        tokenizer.decode([-1 - 10**9])


def test_a_token_cut_through_a_character_decodes_to_a_replacement() -> None:
    ids = tokenizer.encode("😀")
    assert len(ids) > 1  # four bytes, not a merge of this corpus
    assert tokenizer.decode(ids[:1]) == "\ufffd"


def test_chat_count_is_content_plus_the_documented_overhead() -> None:
    c = tokenizer.count_tokens
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "name": "ada", "content": [
            {"type": "text", "text": "Describe this image"},
            {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
            {"type": "text", "text": "in one line."},
        ]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "gpu"}'}},
        ]},
        {"role": "tool", "tool_call_id": "t1", "content": "H100"},
    ]
    expected = (
        tokenizer.REPLY_PRIMING
        + 4 * tokenizer.TOKENS_PER_MESSAGE
        + c("You are terse.")
        + c("Describe this image") + c("in one line.") + c("ada") + tokenizer.TOKENS_PER_NAME
        + c("lookup") + c('{"q": "gpu"}')
        + c("H100")
    )
    assert tokenizer.count_chat_tokens(messages) == expected
    assert tokenizer.TOKENS_PER_MESSAGE == 4 and tokenizer.REPLY_PRIMING == 3  # documented in docs/devengine.md
    assert tokenizer.count_chat_tokens([]) == tokenizer.REPLY_PRIMING
    odd: Any = ["not an object", {"role": "user", "content": 7}]
    assert tokenizer.count_chat_tokens(odd) == 3 + 2 * 4


def test_shipped_files_are_small() -> None:
    data = tokenizer.MERGES_PATH.parent
    assert tokenizer.MERGES_PATH.stat().st_size < 200 * 1024
    assert (data / "ngram.json.z").stat().st_size < 1024 * 1024
    merges = tokenizer.read_merges(tokenizer.MERGES_PATH)
    assert 1000 <= len(merges) <= 8000
    assert tokenizer.vocab_size() == 256 + len(merges)


def _training_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_devengine", ROOT / "scripts" / "train_devengine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_training_is_deterministic_and_learns_frequent_words() -> None:
    train = _training_script()
    texts = ["the gateway meters the prompt; the gateway relays the stream. " * 5, "a replica, a gateway"]
    first = train.train_bpe(texts, max_merges=50, min_count=2)
    assert first == train.train_bpe(texts, max_merges=50, min_count=2)
    assert 0 < len(first) <= 50
    vocab = [bytes([i]) for i in range(256)]
    for a, b in first:
        vocab.append(vocab[a] + vocab[b])
    assert b" gateway" in vocab  # the frequent word became one token
    assert b" replica" not in vocab  # seen once: below min_count


def test_training_the_ngram_reads_prose_not_code() -> None:
    train = _training_script()
    doc = (
        "# Title\n\nThe engine answers chat calls from a trigram model.\n\n"
        "```sh\nmake run\n```\n\n- a list item with words\n"
    )
    paragraphs = list(train.paragraphs(doc))
    assert paragraphs == ["The engine answers chat calls from a trigram model.", "a list item with words"]
    model = textgen.NgramModel(train.train_ngram([doc]))
    out = model.generate("tell me about the engine", seed=1, max_tokens=50)
    assert "make run" not in out.text
    assert out.text and set(out.text.split()) <= set(" ".join(paragraphs).split()) | {"Engine"}
