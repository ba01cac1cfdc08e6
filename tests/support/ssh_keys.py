"""Real SSH key material for the SSH key tests: pairs made with ``cryptography`` and with
``ssh-keygen`` (installed by scripts/test-deps.sh), ssh-keygen's own fingerprints, and REST calls
for /api/v1/ssh-keys and /api/v1/ssh-key-groups."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

SSH_KEYS = "/api/v1/ssh-keys"
GROUPS = "/api/v1/ssh-key-groups"
KEYGEN_TIMEOUT = 60

# kind -> (ssh-keygen -t, -b or None, OpenSSH key type, bits)
KINDS: dict[str, tuple[str, int | None, str, int]] = {
    "ed25519": ("ed25519", None, "ssh-ed25519", 256),
    "ecdsa-p256": ("ecdsa", 256, "ecdsa-sha2-nistp256", 256),
    "ecdsa-p384": ("ecdsa", 384, "ecdsa-sha2-nistp384", 384),
    "ecdsa-p521": ("ecdsa", 521, "ecdsa-sha2-nistp521", 521),
    "rsa-2048": ("rsa", 2048, "ssh-rsa", 2048),
    "rsa-4096": ("rsa", 4096, "ssh-rsa", 4096),
}
CURVES = {256: ec.SECP256R1(), 384: ec.SECP384R1(), 521: ec.SECP521R1()}


def keygen_path() -> str:
    path = shutil.which("ssh-keygen")
    assert path, "ssh-keygen is missing: run scripts/test-deps.sh (make test does)"
    return path


def run_keygen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([keygen_path(), *args], capture_output=True, text=True, timeout=KEYGEN_TIMEOUT,
                          stdin=subprocess.DEVNULL)


@dataclass(frozen=True)
class Pair:
    public: str  # one OpenSSH line: "type base64 comment"
    private_pem: str  # OpenSSH private key, unencrypted

    @property
    def key_type(self) -> str:
        return self.public.split()[0]

    @property
    def body(self) -> str:
        return self.public.split()[1]


def private_key_object(kind: str) -> Any:
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind.startswith("ecdsa-"):
        return ec.generate_private_key(CURVES[int(kind.removeprefix("ecdsa-p"))])
    if kind.startswith("rsa-"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind.removeprefix("rsa-")))
    if kind == "dsa":
        return dsa.generate_private_key(key_size=1024)
    raise ValueError(kind)


def crypto_pair(kind: str, comment: str | None = None) -> Pair:
    """A new pair made with ``cryptography``; ``kind`` is a KINDS key, ``rsa-1024`` or ``dsa``."""
    key = private_key_object(kind)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                            serialization.NoEncryption()).decode()
    return Pair(f"{public} {comment or 'crypto-' + kind + '@test'}", pem)


def keygen_pair(kind: str, comment: str | None = None) -> Pair:
    """A new pair made by ``ssh-keygen -t TYPE [-b BITS] -f FILE -N ''``."""
    key_type, bits = KINDS[kind][0], KINDS[kind][1]
    return keygen_pair_raw(key_type, bits, comment or f"keygen-{kind}@test")


def keygen_pair_raw(key_type: str, bits: int | None, comment: str) -> Pair:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "id"
        args = ["-q", "-t", key_type, "-f", str(path), "-N", "", "-C", comment]
        if bits is not None:
            args[3:3] = ["-b", str(bits)]
        done = run_keygen(*args)
        assert done.returncode == 0, done.stderr
        return Pair(path.with_suffix(".pub").read_text().strip(), path.read_text())


def dsa_public_key(comment: str = "dsa@test") -> str:
    """A DSA public key line: from ssh-keygen when this build still makes them, else from cryptography."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "id"
        done = run_keygen("-q", "-t", "dsa", "-f", str(path), "-N", "", "-C", comment)
        if done.returncode == 0:
            return path.with_suffix(".pub").read_text().strip()
    return crypto_pair("dsa", comment).public


@dataclass(frozen=True)
class KeygenPrint:
    bits: int
    fingerprint: str
    label: str  # "(ED25519)", "(ECDSA)", "(RSA)"


def keygen_fingerprint(public_line: str) -> KeygenPrint:
    """``ssh-keygen -lf`` of a public key line: bits, SHA256 fingerprint, type label."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "key.pub"
        path.write_text(public_line + "\n")
        done = run_keygen("-l", "-E", "sha256", "-f", str(path))
    assert done.returncode == 0, done.stderr
    fields = done.stdout.split()
    assert len(fields) >= 3 and fields[1].startswith("SHA256:"), done.stdout
    return KeygenPrint(int(fields[0]), fields[1], fields[-1])


def keygen_public_of_private(private_pem: str) -> str:
    """``ssh-keygen -y -f FILE`` (FILE mode 600, as ssh-keygen insists): the public key line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "id"
        path.write_text(private_pem)
        os.chmod(path, 0o600)
        done = run_keygen("-y", "-f", str(path))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def type_and_body(public_line: str) -> tuple[str, str]:
    parts = public_line.split()
    return parts[0], parts[1]


def pem_body(private_pem: str) -> str:
    """The base64 body of a PEM block on one line (no BEGIN/END armour)."""
    return "".join(line for line in private_pem.strip().splitlines() if not line.startswith("-----"))


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


# -- REST -----------------------------------------------------------------------------------------

def upload(api: httpx.Client, public_key: str, name: str | None = None, **headers: str) -> httpx.Response:
    return api.post(SSH_KEYS, json={"name": name or unique("key"), "public_key": public_key}, headers=headers)


def upload_ok(api: httpx.Client, public_key: str, name: str | None = None) -> dict[str, Any]:
    r = upload(api, public_key, name)
    assert r.status_code == 201, r.text
    return dict(r.json())


def generate(api: httpx.Client, name: str | None = None, **headers: str) -> httpx.Response:
    return api.post(f"{SSH_KEYS}/generate", json={"name": name or unique("gen")}, headers=headers)


def list_all(api: httpx.Client, path: str, field: str, page_size: int = 100, max_pages: int = 50) -> list[Any]:
    """Every item of a paginated list route, following nextToken (bounded)."""
    items: list[Any] = []
    token: str | None = None
    for _ in range(max_pages):
        params: dict[str, Any] = {"maxResults": page_size, **({"nextToken": token} if token else {})}
        r = api.get(path, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page[field]) <= page_size, page
        items += page[field]
        token = page["nextToken"]
        if not token:
            return items
    raise AssertionError(f"{path} did not end within {max_pages} pages")


def key_ids(api: httpx.Client) -> list[str]:
    return [k["id"] for k in list_all(api, SSH_KEYS, "ssh_keys")]


def new_group(api: httpx.Client, name: str | None = None, description: str = "") -> dict[str, Any]:
    r = api.post(GROUPS, json={"name": name or unique("grp"), "description": description})
    assert r.status_code == 201, r.text
    return dict(r.json())


def add_to_group(api: httpx.Client, group_id: str, key_id: str) -> httpx.Response:
    return api.post(f"{GROUPS}/{group_id}/keys", json={"ssh_key_id": key_id})


def groups_by_id(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {g["id"]: g for g in list_all(api, GROUPS, "ssh_key_groups")}
