"""The digest of rendered objects, kept on what was applied (annotation ``icgpu.dev/spec-digest``): while
the objects rendered now have the same digest, nothing needs applying, so a level-triggered pass over
unchanged objects costs a read, not one PATCH per object."""

from __future__ import annotations

import hashlib
import json

from icgpu.provisioning.kubernetes.kinds import Manifest

DIGEST = "icgpu.dev/spec-digest"


def digest(manifests: list[Manifest]) -> str:
    return hashlib.sha256(json.dumps(manifests, sort_keys=True).encode()).hexdigest()[:16]
