"""Values that pass the server's semantic validation, so generated requests get past creation.

Schemathesis draws from these dictionaries (with a probability below 1, so invalid values are still
sent): real OpenSSH public keys, tier ids the server serves, and names matching the name rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

KEY_COUNT = 24
NAME_COUNT = 24


def ed25519_public_key(comment: str) -> str:
    """A fresh ed25519 public key in OpenSSH format: ``ssh-ed25519 AAAA... comment``."""
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}"


def tier_ids(base_url: str) -> list[str]:
    """The tier ids the live server offers (GET /api/v1/gpu-tiers needs no credential)."""
    r = httpx.get(base_url + "/api/v1/gpu-tiers", timeout=30.0)
    r.raise_for_status()
    ids = [str(tier["id"]) for tier in r.json()["tiers"]]
    assert ids, "the server offers no GPU tier"
    return ids


@dataclass(frozen=True)
class ValidValues:
    ssh_keys: list[str]
    tiers: list[str]
    names: list[str]

    @classmethod
    def for_server(cls, base_url: str) -> ValidValues:
        return cls(
            ssh_keys=[ed25519_public_key(f"fuzz{i}@test") for i in range(KEY_COUNT)],
            tiers=tier_ids(base_url),
            names=[f"fuzz-{i}" for i in range(NAME_COUNT)],
        )

    def dictionaries(self) -> dict[str, dict[str, list[str]]]:
        """The ``[dictionaries]`` table of a schemathesis configuration."""
        return {"ssh_keys": {"values": self.ssh_keys}, "tiers": {"values": self.tiers},
                "names": {"values": self.names}}
