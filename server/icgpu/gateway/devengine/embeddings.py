"""The development engine's embeddings: hashed features, a fixed dimension, L2-normalised.

Features of a text: its lower-cased words (weight 1), word bigrams (0.5) and the BPE tokens of the
lower-cased text (0.5, so words sharing pieces land near each other). Each feature adds its weight,
scaled by 1 + log(count), to one coordinate chosen by CRC-32 with a sign from another bit. Texts that
share words share coordinates, so similar texts have a larger cosine similarity. Deterministic,
needs no model file.
"""

from __future__ import annotations

import base64
import itertools
import math
import re
import struct
import zlib
from collections import Counter

from icgpu.gateway import tokenizer

DIMENSION = 256
_WORD = re.compile(r"\w+")


def _features(text: str) -> Counter[str]:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    features: Counter[str] = Counter()
    for w in words:
        features["w:" + w] += 1
    for a, b in itertools.pairwise(words):
        features["b:" + a + " " + b] += 1
    for token in tokenizer.encode(lowered):
        features[f"t:{token}"] += 1
    return features


def embed(text: str, dimensions: int = DIMENSION) -> list[float]:
    """A unit vector of `dimensions` floats (at most DIMENSION; a shorter one is the full vector's
    head, renormalised). A text with no features (only spaces) is a fixed unit vector."""
    vector = [0.0] * DIMENSION
    for feature, count in _features(text).items():
        h = zlib.crc32(feature.encode("utf-8", "surrogatepass"))
        weight = (1.0 + math.log(count)) * (0.5 if feature[0] != "w" else 1.0)
        vector[h % DIMENSION] += -weight if (h >> 16) & 1 else weight
    vector = vector[:dimensions]
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:
        return [1.0 / math.sqrt(dimensions)] * dimensions
    return [x / norm for x in vector]


def to_base64(vector: list[float]) -> str:
    """Little-endian float32, base64: what OpenAI sends for `encoding_format: "base64"`."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def from_base64(data: str) -> list[float]:
    raw = base64.b64decode(data)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))
