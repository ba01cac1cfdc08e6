"""Parsing and making OpenSSH public keys with ``cryptography``.

Accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521, and ssh-rsa of 2048 to 16384 bits (OpenSSH's
own limit). The key is stored in its canonical encoding (as ssh-keygen would write it: an RSA
number with extra leading zero bytes is still the same key), and the fingerprint is ssh-keygen's:
``SHA256:`` + unpadded base64 of the SHA-256 of that canonical blob, so one key has one fingerprint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from icgpu.errors import ValidationError

MIN_RSA_BITS = 2048
MAX_RSA_BITS = 16384  # OpenSSH refuses larger moduli
MAX_LINE = 16384
ALLOWED_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa")


@dataclass(frozen=True)
class ParsedKey:
    key_type: str
    bits: int
    fingerprint: str
    public_key: str  # "type base64 [comment]", normalised


def fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def parse_public_key(text: str, field: str = "public_key") -> ParsedKey:
    def bad(reason: str) -> ValidationError:
        return ValidationError(f"{field}: {reason}", field=field, code="InvalidSshKey")

    line = text.strip()
    if not line:
        raise bad("is empty")
    if len(line) > MAX_LINE or "\n" in line or "\r" in line or not line.isprintable():
        raise bad("must be a single line of printable text (one OpenSSH public key)")
    parts = line.split(None, 2)
    if len(parts) < 2:
        raise bad("expected 'TYPE BASE64 [comment]', as in 'ssh-ed25519 AAAA... user@host'")
    key_type, b64 = parts[0], parts[1]
    comment = parts[2] if len(parts) == 3 else ""
    if key_type not in ALLOWED_TYPES:
        raise bad(f"key type '{key_type[:40]}' is not accepted; use one of: {', '.join(ALLOWED_TYPES)}")
    try:
        base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise bad("the key data is not valid base64") from None
    try:
        key = serialization.load_ssh_public_key(f"{key_type} {b64}".encode())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise bad(f"not a valid {key_type} key ({exc})") from None
    if isinstance(key, rsa.RSAPublicKey):
        bits = key.key_size
        if bits < MIN_RSA_BITS:
            raise bad(f"RSA keys must have at least {MIN_RSA_BITS} bits; this one has {bits}")
        if bits > MAX_RSA_BITS:
            raise bad(f"RSA keys can have at most {MAX_RSA_BITS} bits; this one has {bits}")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        bits = key.curve.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        bits = 256
    else:  # pragma: no cover - load_ssh_public_key returns only the types above for ALLOWED_TYPES
        raise bad("unsupported key type")
    canonical = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    canonical_type, canonical_b64 = canonical.split(" ", 1)
    if canonical_type != key_type:  # pragma: no cover - load_ssh_public_key checks the header matches
        raise bad(f"the key data is a {canonical_type} key, not {key_type}")
    normal = canonical + (f" {comment}" if comment else "")
    return ParsedKey(key_type=key_type, bits=bits, fingerprint=fingerprint(base64.b64decode(canonical_b64)),
                     public_key=normal)


def generate_ed25519(comment: str) -> tuple[str, str]:
    """A new ed25519 pair: (OpenSSH public key line, OpenSSH private key PEM)."""
    private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    safe_comment = "".join(c for c in comment if c.isprintable() and not c.isspace())[:100]
    return public.decode() + (f" {safe_comment}" if safe_comment else ""), pem.decode()
