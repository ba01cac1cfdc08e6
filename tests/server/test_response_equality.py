"""The fast paths change no response byte: orjson encoding (REST and GraphQL) and the GraphQL
plain-field executor, against the reference (``ICGPU_FAST_PATHS=false``: stdlib JSON, graphql-core's
own completion), two server processes on one database, the same requests, the same request ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.support.server import Server

FRAGMENTS = """
fragment Core on Instance { id name status __typename tierInfo { id pricePerHour batchPricePerHour } }
fragment Who on Account { id email role }
"""

GRAPHQL: list[tuple[str, dict[str, Any]]] = [
    ("{ gpuTiers { id name isolation gpuMemoryGb pricePerHour capacity available __typename } }", {}),
    ("query Page($n: Int) { instances(maxResults: $n) { items { ...Core owner { ...Who } storageGb createdAt "
     "updatedAt terminatedAt sshHost sshPort hourlyPrice workloadType teamId } nextToken } }" + FRAGMENTS,
     {"n": 100}),
    ("query Aliased($n: Int, $withOwner: Boolean!, $skipTier: Boolean!) { first: instances(maxResults: $n) "
     "{ items { a: id b: name ... on Instance { c: status } owner @include(if: $withOwner) { ...Who } "
     "tierInfo @skip(if: $skipTier) { id } } nextToken } again: instances(maxResults: 1) { items { id } } "
     "__typename }" + FRAGMENTS, {"n": 3, "withOwner": True, "skipTier": True}),
    ("query Page2($t: String) { instances(maxResults: 2, nextToken: $t) { items { id name } nextToken } }",
     {"t": None}),
    ("{ viewer { id email role tenant { id name } teams { role team { id name description createdBy "
     "createdAt role } } credentialType apiKeyId scopes permissions __typename } }", {}),
    ("{ teams(maxResults: 10) { items { id name description role } nextToken } "
     "sshKeys { items { id name publicKey fingerprint keyType bits createdAt } nextToken } "
     "apiKeys { items { id name prefix scopes permissions expiresAt revokedAt lastUsedAt } } }", {}),
    # Errors: a missing instance next to data, a bad token, a bad argument, a validation error.
    ("{ tiers: gpuTiers { id } instance(id: \"inst-doesnotexist1\") { id } }", {}),
    ("{ instances(nextToken: \"bogus\") { items { id } } }", {}),
    ("{ instances(maxResults: 1000) { items { id } } }", {}),
    ("{ instances { items { nope } } }", {}),
]

REST = ["/api/v1/gpu-tiers", "/api/v1/instances?maxResults=100", "/api/v1/instances?maxResults=2",
        "/api/v1/me", "/api/v1/teams", "/api/v1/ssh-keys", "/api/v1/api-keys", "/api/v1/ssh-key-groups",
        "/api/v1/instances/inst-doesnotexist1", "/api/v1/instances?nextToken=bogus",
        "/api/v1/instances?status=stopped"]


def public_key() -> str:
    raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode() + " équipe@laptop"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, str]]:
    """(fast, reference, API key): both without workers, so nothing changes between the two looks."""
    # No workers (nothing moves between the two looks); one page-token key (tokens are signed).
    quiet = {"ICGPU_RUN_WORKERS": "false", "ICGPU_SECRET_KEY": "equal-responses-test-key-0123456789"}
    fast = Server(tmp=Path(tmp_path_factory.mktemp("fast")), extra_env=quiet).start()
    reference = None
    try:
        reference = Server(tmp=Path(tmp_path_factory.mktemp("ref")), db_url=fast.db_url,
                           extra_env={**quiet, "ICGPU_FAST_PATHS": "false"}).start()
        key = fast.bootstrap("equal", "owner@example.com")["api_key"]
        with fast.client(key) as api:
            team = api.post("/api/v1/teams", json={"name": "Ünïcode team", "description": "équipe ☃ — 東京"})
            assert team.status_code == 201, team.text
            assert api.post("/api/v1/ssh-keys", json={"name": "laptop", "public_key": public_key()}).status_code == 201
            for i in range(12):
                body: dict[str, Any] = {"name": f"box-{i}", "tier": ("mig", "timesliced", "dedicated")[i % 3],
                                        "storage_gb": 10 + i, "workload_type": ("interactive", "batch")[i % 2]}
                if i % 4 == 0:
                    body["team_id"] = team.json()["id"]
                assert api.post("/api/v1/instances", json=body).status_code == 201
        yield fast, reference, key
    finally:
        if reference is not None:
            reference.stop(drop=False)
        fast.stop()


def both(pair: tuple[Server, Server, str], method: str, path: str, n: int, **kwargs: Any) -> tuple[Any, Any]:
    fast, reference, key = pair
    headers = {"X-Request-Id": f"equal-{n}"}
    with fast.client(key) as a, reference.client(key) as b:
        return a.request(method, path, headers=headers, **kwargs), b.request(method, path, headers=headers, **kwargs)


@pytest.mark.parametrize("n", range(len(GRAPHQL)))
def test_graphql_responses_are_byte_identical(pair: tuple[Server, Server, str], n: int) -> None:
    query, variables = GRAPHQL[n]
    mine, ref = both(pair, "POST", "/graphql", n, json={"query": query, "variables": variables})
    assert (mine.status_code, mine.content) == (ref.status_code, ref.content)
    assert mine.content.startswith(b'{"data"') or b'"errors"' in mine.content


def same_answer(mine: Any, ref: Any) -> None:
    """Status, body bytes and the headers that describe the body (REST reads answer their bytes
    directly on the fast path, FastAPI makes them on the reference path)."""
    assert (mine.status_code, mine.content) == (ref.status_code, ref.content)
    for header in ("content-type", "content-length", "x-request-id"):
        assert mine.headers.get(header) == ref.headers.get(header), header


@pytest.mark.parametrize("path", REST)
def test_rest_responses_are_byte_identical(pair: tuple[Server, Server, str], path: str) -> None:
    mine, ref = both(pair, "GET", path, 100 + REST.index(path))
    same_answer(mine, ref)


def test_rest_gets_are_byte_identical(pair: tuple[Server, Server, str]) -> None:
    """One instance, team and key by id: the objects the lists show, read one at a time."""
    fast, _, key = pair
    with fast.client(key) as api:
        instances = api.get("/api/v1/instances", params={"maxResults": 100}).json()["instances"]
        team = api.get("/api/v1/teams").json()["teams"][0]
        ssh_key = api.get("/api/v1/ssh-keys").json()["ssh_keys"][0]
    paths = [f"/api/v1/instances/{i['id']}" for i in instances[:4]]
    paths += [f"/api/v1/teams/{team['id']}", f"/api/v1/teams/{team['id']}/members", f"/api/v1/ssh-keys/{ssh_key['id']}"]
    for n, path in enumerate(paths):
        mine, ref = both(pair, "GET", path, 200 + n)
        assert mine.status_code == 200, mine.text
        same_answer(mine, ref)


def test_the_pair_really_differs_in_path(pair: tuple[Server, Server, str]) -> None:
    """The comparison is not of a server with itself: non-ASCII text goes out as UTF-8 on REST and
    escaped on GraphQL from both, and the instance list is long enough to exercise the fast path."""
    mine, ref = both(pair, "GET", "/api/v1/teams", 999)
    assert "équipe".encode() in mine.content and "équipe".encode() in ref.content
    g, _ = both(pair, "POST", "/graphql", 998, json={"query": "{ teams { items { description } } }"})
    assert b"\\u00e9quipe" in g.content
    assert pair[0].url != pair[1].url
