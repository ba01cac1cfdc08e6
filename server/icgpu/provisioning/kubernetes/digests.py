"""The digest of rendered objects, kept on what was applied (annotation ``icgpu.dev/spec-digest``): while
the objects rendered now have the same digest, nothing needs applying, so a level-triggered pass over
unchanged objects costs a read, not one PATCH per object.

Rendered objects include Secrets (authorized keys, a function's secret env values), and the annotation
is readable by anyone who may read the namespace's ConfigMaps: a plain hash of a low-entropy secret
could be guessed offline from it. The digest is therefore an HMAC under a key of this process, drawn
at start: after a restart each workload is applied once more (server-side apply of unchanged objects
changes nothing) and its digest is rewritten under the new key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from icgpu.provisioning.kubernetes.kinds import Manifest

DIGEST = "icgpu.dev/spec-digest"
_KEY = secrets.token_bytes(32)


def digest(manifests: list[Manifest]) -> str:
    return hmac.new(_KEY, json.dumps(manifests, sort_keys=True).encode(), hashlib.sha256).hexdigest()[:16]
