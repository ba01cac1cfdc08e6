"""The Hugging Face token of a model deployment: write-only, stored Fernet-encrypted (AES-128-CBC
with HMAC-SHA256) under a key derived from the server's secret key for this purpose alone, opened
only when a replica is started. Responses, events and logs say whether a token is set, never what
it is."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

PURPOSE = b"icgpu/model-huggingface-token/v1\x00"


class TokenBox:
    def __init__(self, secret_key: bytes) -> None:
        derived = hashlib.sha256(PURPOSE + secret_key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, token: str | None) -> str | None:
        if not token:
            return None
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, blob: str | None) -> str | None:
        """The token, or None when none is set or it cannot be read (the server's key changed)."""
        if not blob:
            return None
        try:
            return self._fernet.decrypt(blob.encode()).decode()
        except (InvalidToken, ValueError):
            return None
