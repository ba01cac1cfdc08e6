"""SSH keys over REST (and GraphQL once its schema has them), with real key material.

Keys are made in the test with ``cryptography`` and with ``ssh-keygen``; every accepted key's
fingerprint and size are compared with ``ssh-keygen -lf``, and a generated private key must give
back the stored public key through ``ssh-keygen -y``.
"""

from __future__ import annotations

import base64
import os
import secrets
import struct
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from icgpu.db.tables import SshKey
from tests.support.contracts import assert_error, count_rows, member
from tests.support.graphql import gql_data, gql_error, gql_post
from tests.support.server import Server
from tests.support.ssh_keys import (
    KINDS,
    SSH_KEYS,
    crypto_pair,
    dsa_public_key,
    generate,
    key_ids,
    keygen_fingerprint,
    keygen_pair,
    keygen_pair_raw,
    keygen_public_of_private,
    list_all,
    pem_body,
    type_and_body,
    unique,
    upload,
    upload_ok,
)
from tests.support.tenants import Tenant, open_tenant


@pytest.fixture(scope="module")
def owner(server: Server) -> Iterator[Tenant]:
    with open_tenant(server, "sshkeys-" + uuid.uuid4().hex[:8], "owner@example.com") as t:
        yield t


def fresh(server: Server) -> Any:
    return open_tenant(server, "sshkeys-" + uuid.uuid4().hex[:8], "owner@example.com")


def assert_key_json(key: dict[str, Any], public_line: str, name: str) -> None:
    """The documented key object for an upload of ``public_line``, checked against ssh-keygen."""
    assert set(key) == {"id", "name", "public_key", "fingerprint", "key_type", "bits", "created_at"}, key
    assert key["id"].startswith("key-") and key["name"] == name, key
    assert key["public_key"] == public_line, key
    printed = keygen_fingerprint(public_line)
    assert key["fingerprint"] == printed.fingerprint, (key, printed)
    assert key["key_type"] == public_line.split()[0], key
    assert key["bits"] == printed.bits, (key, printed)
    assert key["created_at"], key


# -- accepted ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["cryptography", "ssh-keygen"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_real_keys_are_accepted_with_ssh_keygen_fingerprint(owner: Tenant, kind: str, source: str) -> None:
    pair = crypto_pair(kind) if source == "cryptography" else keygen_pair(kind)
    _, _, key_type, bits = KINDS[kind]
    assert pair.key_type == key_type
    name = unique(kind)
    key = upload_ok(owner.api, pair.public, name)
    assert_key_json(key, pair.public, name)
    assert key["bits"] == bits and key["key_type"] == key_type, key
    listed = {k["id"]: k for k in list_all(owner.api, SSH_KEYS, "ssh_keys")}
    assert listed[key["id"]] == key


def test_key_without_comment_and_with_spaces_in_comment(owner: Tenant) -> None:
    bare = " ".join(crypto_pair("ed25519").public.split()[:2])
    key = upload_ok(owner.api, "  " + bare + "\n")  # surrounding whitespace is not part of the key
    assert key["public_key"] == bare and key["fingerprint"] == keygen_fingerprint(bare).fingerprint
    spaced = keygen_pair_raw("ed25519", None, "Alice Smith laptop 2024")
    key = upload_ok(owner.api, spaced.public)
    assert key["public_key"] == spaced.public and key["fingerprint"] == keygen_fingerprint(spaced.public).fingerprint


def sshstr(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def rsa_line(e: bytes, n: bytes, comment: str = "handmade@test") -> str:
    """An ssh-rsa line built by hand from the big-endian bytes of e and n (leading zeros kept)."""
    return f"ssh-rsa {base64.b64encode(sshstr(b'ssh-rsa') + sshstr(e) + sshstr(n)).decode()} {comment}"


def big_rsa_modulus_line(bits: int) -> str:
    """A syntactically valid ssh-rsa key with a ``bits``-bit modulus (not a product of primes:
    generating a real one that large takes minutes, and only the size matters here)."""
    n = secrets.randbits(bits) | (1 << (bits - 1)) | 1
    return rsa_line((65537).to_bytes(3, "big"), b"\0" + n.to_bytes(bits // 8, "big"), f"big{bits}@test")


def test_non_canonical_encodings_are_the_same_key(server: Server) -> None:
    """OpenSSH accepts an RSA number with extra leading zero bytes and ignores base64's spare bits;
    ssh-keygen fingerprints the canonical key. So must the server, or one key gets two
    fingerprints and slips past the duplicate check."""
    with fresh(server) as t:
        pair = crypto_pair("rsa-2048", "padded@test")
        public = serialization.load_ssh_public_key(pair.public.encode())
        assert isinstance(public, rsa.RSAPublicKey)
        numbers = public.public_numbers()
        n = numbers.n.to_bytes(257, "big")  # 2048 bits + the sign byte: canonical
        padded = rsa_line(b"\0\0" + numbers.e.to_bytes(3, "big"), b"\0\0" + n, "padded@test")
        assert type_and_body(padded) != type_and_body(pair.public)
        printed = keygen_fingerprint(padded)
        assert printed.fingerprint == keygen_fingerprint(pair.public).fingerprint  # ssh-keygen: the same key
        key = upload_ok(t.api, padded)
        assert key["fingerprint"] == printed.fingerprint and key["bits"] == 2048, key
        assert key["public_key"] == pair.public, key  # stored canonically, as ssh-keygen would write it
        assert_error(upload(t.api, pair.public), 409, "ConflictException")

        # base64's spare bits: p256 blobs are 104 bytes, so the last character before "=" has 2.
        ec_pair = crypto_pair("ecdsa-p256", "bits@test")
        kt, body = type_and_body(ec_pair.public)
        assert body.endswith("=") and not body.endswith("==")
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        last = alphabet.index(body[-2])
        spare = f"{kt} {body[:-2]}{alphabet[last | 0b11]}= bits@test"
        assert spare != ec_pair.public and base64.b64decode(spare.split()[1]) == base64.b64decode(body)
        key = upload_ok(t.api, spare)
        assert key["public_key"] == ec_pair.public and key["fingerprint"] == keygen_fingerprint(
            ec_pair.public).fingerprint, key
        assert_error(upload(t.api, ec_pair.public), 409, "ConflictException")


def test_largest_rsa_openssh_takes_is_accepted(owner: Tenant) -> None:
    line = big_rsa_modulus_line(16384)
    key = upload_ok(owner.api, line)
    printed = keygen_fingerprint(line)
    assert key["bits"] == printed.bits == 16384 and key["fingerprint"] == printed.fingerprint, key


def test_api_key_credential_uploads_too(owner: Tenant) -> None:
    pair = keygen_pair("ecdsa-p256")
    key = upload_ok(owner.key_api, pair.public)
    assert key["id"] in key_ids(owner.api)  # same account, either credential


# -- rejected ---------------------------------------------------------------------------------------

def _ed25519() -> str:
    return crypto_pair("ed25519").public


def _b64_of(line: str) -> bytes:
    return base64.b64decode(line.split()[1])


def rejected_cases() -> list[tuple[str, str, str]]:
    """(case id, public_key sent, a word the reason must contain)."""
    ed = _ed25519()
    ed_type, ed_body = type_and_body(ed)
    rsa_pub = crypto_pair("rsa-2048").public
    rsa_type, rsa_body = type_and_body(rsa_pub)
    p384_body = type_and_body(crypto_pair("ecdsa-p384").public)[1]
    ed_private = crypto_pair("ed25519").private_pem
    aligned = ed_body[: (len(ed_body) // 2) // 4 * 4]
    return [
        ("truncated-base64", f"{ed_type} {ed_body[:-3]} t@x", "base64"),
        ("truncated-blob-aligned", f"{ed_type} {aligned} t@x", "ssh-ed25519"),
        ("truncated-rsa", f"{rsa_type} {rsa_body[: len(rsa_body) // 8 * 4]} t@x", "ssh-rsa"),
        ("blob-one-byte-short", f"{ed_type} {base64.b64encode(_b64_of(ed)[:-1]).decode()} t@x", "ssh-ed25519"),
        ("blob-with-trailing-bytes", f"{ed_type} {base64.b64encode(_b64_of(ed) + b'xtra').decode()} t@x",
         "ssh-ed25519"),
        ("rsa-prefix-ed25519-blob", f"ssh-rsa {ed_body} t@x", "ssh-rsa"),
        ("ed25519-prefix-rsa-blob", f"ssh-ed25519 {rsa_body} t@x", "ssh-ed25519"),
        ("p256-prefix-p384-blob", f"ecdsa-sha2-nistp256 {p384_body} t@x", "ecdsa-sha2-nistp256"),
        ("rsa-1024-cryptography", crypto_pair("rsa-1024").public, "2048"),
        ("rsa-1024-ssh-keygen", keygen_pair_raw("rsa", 1024, "small@test").public, "2048"),
        ("dsa", dsa_public_key(), "ssh-dss"),
        ("rsa-beyond-openssh-limit", big_rsa_modulus_line(16392), "16384"),
        ("rsa-even-exponent", rsa_line(b"\x01\x00\x00", b"\0" + os.urandom(256)), "ssh-rsa"),
        ("unknown-type", f"ssh-foo {ed_body} t@x", "ssh-foo"),
        ("garbage-words", "this is not an ssh key", "not accepted"),
        ("garbage-single-token", "AAAAC3NzaC1lZDI1NTE5AAAAI", "TYPE BASE64"),
        ("type-only", "ssh-ed25519", "TYPE BASE64"),
        ("random-blob", f"ssh-ed25519 {base64.b64encode(os.urandom(51)).decode()} t@x", "ssh-ed25519"),
        ("not-base64", f"ssh-ed25519 {ed_body[:20]}!!!!{ed_body[24:]} t@x", "base64"),
        ("empty", "", "at least 1"),
        ("blank", "   \n\t ", "at least 1"),
        # Stored text refuses control characters, line breaks included, naming the first one.
        ("two-keys-two-lines", f"{ed}\n{rsa_pub}", "control characters (found U+000A)"),
        ("two-keys-crlf", f"{ed}\r\n{_ed25519()}", "control characters (found U+000D)"),
        ("private-key-pasted", ed_private, "control characters (found U+000A)"),
        ("private-key-one-line", " ".join(ed_private.split()), "not accepted"),
        ("control-character-in-comment", f"{ed_type} {ed_body} bad\x07comment", "control characters (found U+0007)"),
    ]


CASES = rejected_cases()


@pytest.mark.parametrize(("public_key", "reason"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_keys_are_400_with_the_reason(server: Server, owner: Tenant, public_key: str, reason: str) -> None:
    before = key_ids(owner.api)
    r = upload(owner.api, public_key)
    err = assert_error(r, 400, "ValidationException", field="public_key")
    assert err["message"].startswith("public_key: ") and len(err["message"]) > len("public_key: ") + 5, err
    assert reason.lower() in err["message"].lower(), err
    assert key_ids(owner.api) == before


def test_pasted_private_key_is_not_echoed(owner: Tenant) -> None:
    pem = crypto_pair("ed25519").private_pem
    for sent in (pem, " ".join(pem.split())):
        r = upload(owner.api, sent)
        assert_error(r, 400, "ValidationException", field="public_key")
        body = pem_body(pem)
        for i in range(0, len(body) - 24, 24):
            assert body[i:i + 24] not in r.text, r.text


def test_wrong_json_shapes_are_400(owner: Tenant) -> None:
    ed = _ed25519()
    for payload, field in (({"name": "x"}, "public_key"), ({"public_key": ed}, "name"),
                           ({"name": "x", "public_key": 42}, "public_key"),
                           ({"name": "x", "public_key": [ed]}, "public_key"),
                           ({"name": "", "public_key": ed}, "name"),
                           ({"name": "x", "public_key": ed, "private_key": "no"}, "private_key")):
        r = owner.api.post(SSH_KEYS, json=payload)
        assert_error(r, 400, "ValidationException", field=field)
    assert_error(owner.api.post(SSH_KEYS, content=b"ssh-ed25519 AAAA", headers={"content-type": "text/plain"}),
                 415, "ValidationException", code="UnsupportedMediaType", field="Content-Type")


# -- duplicates -------------------------------------------------------------------------------------

def test_duplicate_in_tenant_is_409_anywhere_in_it(server: Server) -> None:
    with fresh(server) as t, fresh(server) as other_tenant:
        pair = keygen_pair("ed25519")
        first = upload_ok(t.api, pair.public, "first")
        # The same key again: same name, another name, another comment, through the API key.
        for sent, name, api in ((pair.public, "first", t.api), (pair.public, "second", t.api),
                                (" ".join(pair.public.split()[:2]) + " other@host", "third", t.api),
                                (pair.public, "fourth", t.key_api)):
            err = assert_error(upload(api, sent, name), 409, "ConflictException", code="ResourceAlreadyExists")
            assert first["fingerprint"] in err["message"], err
        # Another account of the same tenant.
        with member(server, t.name, "colleague@example.com") as colleague:
            assert_error(upload(colleague, pair.public, "mine"), 409, "ConflictException")
            assert key_ids(colleague) == []
        assert key_ids(t.api) == [first["id"]]
        # Another tenant may hold the same key.
        theirs = upload_ok(other_tenant.api, pair.public, "first")
        assert theirs["id"] != first["id"] and theirs["fingerprint"] == first["fingerprint"]
        assert count_rows(server, SshKey, fingerprint=first["fingerprint"]) == 2


def test_concurrent_uploads_of_one_key_store_it_once(server: Server) -> None:
    with fresh(server) as t:
        pair = crypto_pair("ed25519")
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: upload(t.api, pair.public, f"race-{i}"), range(8)))
        assert sorted(r.status_code for r in results) == [201] + [409] * 7, [r.text for r in results]
        for r in results:
            if r.status_code == 409:
                assert_error(r, 409, "ConflictException", code="ResourceAlreadyExists")
        assert len(key_ids(t.api)) == 1
        assert count_rows(server, SshKey, fingerprint=keygen_fingerprint(pair.public).fingerprint) == 1


# -- list and delete --------------------------------------------------------------------------------

def test_list_shows_only_the_callers_keys_paginated(server: Server) -> None:
    with fresh(server) as t, fresh(server) as other_tenant:
        mine = [upload_ok(t.api, crypto_pair("ed25519").public, f"k{i}")["id"] for i in range(5)]
        theirs = upload_ok(other_tenant.api, crypto_pair("ed25519").public)["id"]
        with member(server, t.name, "colleague@example.com") as colleague:
            colleagues = upload_ok(colleague, crypto_pair("ed25519").public)["id"]
            assert key_ids(colleague) == [colleagues]
        pages: list[list[str]] = []
        token = None
        for _ in range(10):
            r = t.api.get(SSH_KEYS, params={"maxResults": 2, **({"nextToken": token} if token else {})})
            assert r.status_code == 200, r.text
            pages.append([k["id"] for k in r.json()["ssh_keys"]])
            token = r.json()["nextToken"]
            if not token:
                break
        assert [len(p) for p in pages] == [2, 2, 1], pages
        assert [i for p in pages for i in p] == mine  # oldest first, no repeats, nobody else's
        assert key_ids(other_tenant.api) == [theirs]
        assert_error(t.api.get(SSH_KEYS, params={"maxResults": 0}), 400, "ValidationException")


def test_delete_then_404_and_foreign_ids_are_404(server: Server) -> None:
    with fresh(server) as t, fresh(server) as other_tenant:
        pair = crypto_pair("ecdsa-p256")
        key = upload_ok(t.api, pair.public)
        kept = upload_ok(t.api, crypto_pair("ed25519").public)
        foreign = upload_ok(other_tenant.api, crypto_pair("ed25519").public)

        # Another tenant, another account of the same tenant, unknown and malformed ids: 404.
        assert_error(other_tenant.api.delete(f"{SSH_KEYS}/{key['id']}"), 404, "ResourceNotFoundException")
        assert_error(t.api.delete(f"{SSH_KEYS}/{foreign['id']}"), 404, "ResourceNotFoundException")
        with member(server, t.name, "colleague@example.com") as colleague:
            assert_error(colleague.delete(f"{SSH_KEYS}/{key['id']}"), 404, "ResourceNotFoundException")
        for bad in ("key-doesnotexist0000", "nope", "inst-" + key["id"][4:]):
            assert_error(t.api.delete(f"{SSH_KEYS}/{bad}"), 404, "ResourceNotFoundException")
        assert key_ids(t.api) == [key["id"], kept["id"]]
        assert key_ids(other_tenant.api) == [foreign["id"]]

        r = t.api.delete(f"{SSH_KEYS}/{key['id']}")
        assert r.status_code == 200, r.text
        assert r.json() == key
        assert key_ids(t.api) == [kept["id"]]
        assert_error(t.api.delete(f"{SSH_KEYS}/{key['id']}"), 404, "ResourceNotFoundException")
        # Its fingerprint is free again.
        again = upload_ok(t.api, pair.public)
        assert again["id"] != key["id"] and again["fingerprint"] == key["fingerprint"]


# -- generate ---------------------------------------------------------------------------------------

def test_generate_returns_private_key_once_and_ssh_keygen_agrees(owner: Tenant) -> None:
    name = unique("laptop")
    r = generate(owner.api, name)
    assert r.status_code == 201, r.text
    made = r.json()
    assert set(made) == {"ssh_key", "private_key"}, made
    key, private = made["ssh_key"], made["private_key"]
    assert private.startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n"), private[:60]
    assert private.rstrip().endswith("-----END OPENSSH PRIVATE KEY-----")
    assert key["key_type"] == "ssh-ed25519" and key["bits"] == 256 and key["name"] == name, key
    assert key["public_key"].split()[2:] == [name], key  # the name is the comment
    assert_key_json(key, key["public_key"], name)

    # The private key is a working OpenSSH key for exactly the stored public key.
    assert type_and_body(keygen_public_of_private(private)) == type_and_body(key["public_key"])
    assert keygen_fingerprint(keygen_public_of_private(private)).fingerprint == key["fingerprint"]

    # Never again: not in the list, which shows the key itself.
    listing = owner.api.get(SSH_KEYS, params={"maxResults": 100})
    assert listing.status_code == 200 and listing.json()["nextToken"] is None, listing.text
    assert key in listing.json()["ssh_keys"]
    body = pem_body(private)
    assert "PRIVATE" not in listing.text and body[:40] not in listing.text and body[-40:] not in listing.text
    # Uploading the generated public key is a duplicate.
    assert_error(upload(owner.api, key["public_key"]), 409, "ConflictException")


def test_each_generate_is_a_new_pair(owner: Tenant) -> None:
    made = [generate(owner.api).json() for _ in range(3)]
    assert len({m["ssh_key"]["fingerprint"] for m in made}) == 3
    assert len({m["private_key"] for m in made}) == 3
    ids = key_ids(owner.api)
    assert all(m["ssh_key"]["id"] in ids for m in made)


def test_generate_validates_its_body(owner: Tenant) -> None:
    for payload, field in (({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                           ({"name": "x", "key_type": "rsa"}, "key_type")):
        r = owner.api.post(f"{SSH_KEYS}/generate", json=payload)
        assert_error(r, 400, "ValidationException", field=field)
        assert "PRIVATE KEY" not in r.text


def test_generated_comment_is_one_clean_token(owner: Tenant) -> None:
    r = generate(owner.api, "my laptop  key")
    assert r.status_code == 201, r.text
    key = r.json()["ssh_key"]
    assert key["name"] == "my laptop  key"
    assert len(key["public_key"].split()) == 3 and "  " not in key["public_key"], key
    assert type_and_body(keygen_public_of_private(r.json()["private_key"])) == type_and_body(key["public_key"])
    # A name with a control character is refused (stored text never holds one), naming the field.
    before = key_ids(owner.api)
    assert_error(generate(owner.api, "my laptop\tkey"), 400, "ValidationException", field="name")
    assert key_ids(owner.api) == before


# -- GraphQL ----------------------------------------------------------------------------------------

KEY_FIELDS = "id name publicKey fingerprint keyType bits createdAt"


def test_graphql_upload_generate_and_reject(owner: Tenant) -> None:
    pair = keygen_pair("ecdsa-p521")
    payload = gql_data(owner.api, f"""
        mutation Up($input: UploadSshKeyInput!) {{
          uploadSshKey(input: $input) {{ dryRun valid sshKey {{ {KEY_FIELDS} }} }}
        }}
    """, {"input": {"name": "gql-up", "publicKey": pair.public}})["uploadSshKey"]
    assert payload["dryRun"] is False and payload["valid"] is True, payload
    up = payload["sshKey"]
    printed = keygen_fingerprint(pair.public)
    assert up["fingerprint"] == printed.fingerprint and up["bits"] == printed.bits == 521, up
    assert up["keyType"] == "ecdsa-sha2-nistp521" and up["publicKey"] == pair.public, up
    assert up["id"] in key_ids(owner.api)  # the same service behind both adapters

    gen = gql_data(owner.api, f"""
        mutation Gen($name: String!) {{
          generateSshKey(name: $name) {{ dryRun valid privateKey sshKey {{ {KEY_FIELDS} }} }}
        }}
    """, {"name": "gql-gen"})["generateSshKey"]
    assert gen["dryRun"] is False and gen["valid"] is True, gen
    stored = gen["sshKey"]
    assert type_and_body(keygen_public_of_private(gen["privateKey"])) == type_and_body(stored["publicKey"])
    assert stored["fingerprint"] == keygen_fingerprint(stored["publicKey"]).fingerprint
    assert stored["keyType"] == "ssh-ed25519" and stored["bits"] == 256

    for sent, reason in ((crypto_pair("rsa-1024").public, "2048"),
                         ("ssh-rsa " + crypto_pair("ed25519").body, "ssh-rsa"),
                         ("garbage", "TYPE BASE64")):
        err = gql_error(owner.api, """
            mutation Up($input: UploadSshKeyInput!) { uploadSshKey(input: $input) { sshKey { id } } }
        """, {"input": {"name": unique("bad"), "publicKey": sent}})
        ext = err["extensions"]
        assert ext["code"] == "ValidationException" and ext["status"] == 400, err
        assert ext.get("field") == "public_key" and reason in err["message"], err

    dup = gql_error(owner.api, """
        mutation Up($input: UploadSshKeyInput!) { uploadSshKey(input: $input) { sshKey { id } } }
    """, {"input": {"name": "again", "publicKey": pair.public}})
    assert dup["extensions"]["code"] == "ConflictException", dup

    listed = gql_post(owner.api, "{ sshKeys(maxResults: 100) { items { id publicKey fingerprint } nextToken } }")
    ids = [k["id"] for k in listed["data"]["sshKeys"]["items"]]
    assert up["id"] in ids and stored["id"] in ids
    raw = str(listed)
    assert "PRIVATE" not in raw and pem_body(gen["privateKey"])[:40] not in raw
