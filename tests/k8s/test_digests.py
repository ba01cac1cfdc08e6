"""The applied-objects digest: stable within a process, and not a plain hash of the objects (which carry
Secrets: a plain hash on a ConfigMap would let a low-entropy secret be guessed offline)."""

from __future__ import annotations

import hashlib
import json

import pytest

from icgpu.provisioning.kubernetes.digests import digest

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run


def test_digest_is_stable_keyed_and_sensitive() -> None:
    secret = [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"TOKEN": "1234"}}]
    assert digest(secret) == digest(json.loads(json.dumps(secret)))
    plain = hashlib.sha256(json.dumps(secret, sort_keys=True).encode()).hexdigest()[:16]
    assert digest(secret) != plain
    guesses = {hashlib.sha256(json.dumps([{**secret[0], "stringData": {"TOKEN": f"{n:04d}"}}],
                                         sort_keys=True).encode()).hexdigest()[:16] for n in range(10_000)}
    assert digest(secret) not in guesses  # an offline guess of the 4-digit value finds nothing
    changed = [{**secret[0], "stringData": {"TOKEN": "1235"}}]
    assert digest(changed) != digest(secret)
