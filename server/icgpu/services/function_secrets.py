"""Write-only environment values of GPU functions (``secretEnvVars``): stored Fernet-encrypted
(AES-128-CBC with HMAC-SHA256) under a key derived from the server's secret key, decrypted only by
the runner that sets them in a run's environment. Responses, events and logs show their names only.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    def __init__(self, secret_key: bytes) -> None:
        derived = hashlib.sha256(b"icgpu/function-secret-env/v1\x00" + secret_key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, values: dict[str, str]) -> str | None:
        if not values:
            return None
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def open(self, blob: str | None) -> dict[str, str]:
        if not blob:
            return {}
        try:
            data = json.loads(self._fernet.decrypt(blob.encode()))
        except (InvalidToken, ValueError):
            # The server's secret key changed since the values were stored: they cannot be read.
            raise ValueError("the function's secret environment values cannot be decrypted "
                             "(the server's secret key changed); set secretEnvVars again") from None
        return {str(k): str(v) for k, v in data.items()}
