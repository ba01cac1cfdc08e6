"""The fast paths change no response byte: orjson encoding (REST and GraphQL), the GraphQL
plain-field executor, the owners joined into the instance list and POST /graphql without FastAPI's
dependency solving, against the reference (``ICGPU_FAST_PATHS=false``: stdlib JSON, graphql-core's
own completion, the owners' own query, strawberry's FastAPI route), two server processes on one
database, the same requests, the same request ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.support.server import Server

WHO = """
fragment Who on Account { id email role }
"""
FRAGMENTS = """
fragment Core on Instance { id name status __typename tierInfo { id pricePerHour batchPricePerHour } }
""" + WHO

GRAPHQL: list[tuple[str, dict[str, Any]]] = [
    ("{ gpuTiers { id name isolation gpuMemoryGb pricePerHour capacity available __typename } }", {}),
    ("query Page($n: Int) { instances(maxResults: $n) { items { ...Core owner { ...Who } storageGb createdAt "
     "updatedAt terminatedAt sshHost sshPort hourlyPrice workloadType teamId } nextToken } }" + FRAGMENTS,
     {"n": 100}),
    ("query Aliased($n: Int, $withOwner: Boolean!, $skipTier: Boolean!) { first: instances(maxResults: $n) "
     "{ items { a: id b: name ... on Instance { c: status } owner @include(if: $withOwner) { ...Who } "
     "tierInfo @skip(if: $skipTier) { id } } nextToken } again: instances(maxResults: 1) { items { id } } "
     "__typename }" + WHO, {"n": 3, "withOwner": True, "skipTier": True}),
    # The same document again with other Boolean variables: plans are kept per document, and
    # @skip/@include must be decided anew.
    ("query Aliased($n: Int, $withOwner: Boolean!, $skipTier: Boolean!) { first: instances(maxResults: $n) "
     "{ items { a: id b: name ... on Instance { c: status } owner @include(if: $withOwner) { ...Who } "
     "tierInfo @skip(if: $skipTier) { id } } nextToken } again: instances(maxResults: 1) { items { id } } "
     "__typename }" + WHO, {"n": 20, "withOwner": False, "skipTier": False}),
    ("query Page2($t: String) { instances(maxResults: 2, nextToken: $t) { items { id name } nextToken } }",
     {"t": None}),
    # One field per item: no compiled plan, so graphql-core completes Instance objects made from the
    # rows (types/instance.py's RowView.objects), in order, owners included.
    ("{ instances(maxResults: 50) { items { owner { email } } names: items { name } nextToken } }", {}),
    ("{ viewer { id email role tenant { id name } teams { role team { id name description createdBy "
     "createdAt role } } credentialType apiKeyId scopes permissions __typename } }", {}),
    ("{ teams(maxResults: 10) { items { id name description role } nextToken } "
     "sshKeys { items { id name publicKey fingerprint keyType bits createdAt } nextToken } "
     "apiKeys { items { id name prefix scopes permissions expiresAt revokedAt lastUsedAt } } }", {}),
    # Errors (from here on): a missing instance next to data, a bad token, a bad argument, a validation error.
    ("{ tiers: gpuTiers { id } instance(id: \"inst-doesnotexist1\") { id } }", {}),
    ("{ instances(nextToken: \"bogus\") { items { id } } }", {}),
    ("{ instances(maxResults: 1000) { items { id } } }", {}),
    ("{ instances { items { nope } } }", {}),
]

FIRST_ERROR = next(n for n, (query, _) in enumerate(GRAPHQL) if "doesnotexist" in query)

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
            # A teammate's instances shared with the team: lists show two owners, one of them
            # through a team branch of the query.
            mate = fast.token("equal", "mate@example.com")
            with fast.client(mate) as other:
                assert other.get("/api/v1/me").status_code == 200  # the account, made on first sign-in
                added = api.post(f"/api/v1/teams/{team.json()['id']}/members",
                                 json={"email": "mate@example.com", "role": "member"})
                assert added.status_code == 201, added.text
                for i in range(3):
                    made = other.post("/api/v1/instances", json={"name": f"mate-{i}", "tier": "mig", "storage_gb": 10,
                                                                  "team_id": team.json()["id"]})
                    assert made.status_code == 201, made.text
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
    same_answer(mine, ref)
    assert mine.status_code == 200 and mine.content.startswith(b'{"data"')
    assert (b'"errors"' in mine.content) == (n >= FIRST_ERROR), mine.text[:300]


# POST /graphql refused before execution, or answered without credentials: (headers, body).
REFUSALS: list[tuple[dict[str, str], bytes]] = [
    ({"content-type": "application/json"}, b'{"query": "{ instances { items { id } } }"'),  # malformed
    ({"content-type": "text/plain"}, b'{"query": "{ gpuTiers { id } }"}'),  # 415
    ({"content-type": "application/json"}, b'[{"query": "{ gpuTiers { id } }"}]'),  # not an object
    ({"content-type": "application/json"}, b'{"query": 7}'),  # query of the wrong type
    ({"content-type": "application/json"}, b'{"variables": {}}'),  # no query
    ({"content-type": "application/json", "authorization": "Bearer sk-ic-nope"}, b'{"query": "{ gpuTiers { id } }"}'),
    ({"content-type": "application/json", "authorization": ""}, b'{"query": "{ instances { items { id } } }"}'),
    ({"content-type": "application/json"}, b'{"query": "{ gpuTiers { id } instances { items { id } } }"}'),
    ({"content-type": "application/json"}, b'{"query": "query A { gpuTiers { id } } query B { viewer { id } }"}'),
    ({"content-type": "application/json"}, b'{"query": "subscription { instanceStatus(id: \\"x\\") { status } }"}'),
]


@pytest.mark.parametrize("n", range(len(REFUSALS)))
def test_graphql_refusals_are_identical(pair: tuple[Server, Server, str], n: int) -> None:
    """The same status, headers and body from POST /graphql's own route and strawberry's FastAPI
    one, before execution and without credentials."""
    fast, reference, _ = pair
    headers, body = REFUSALS[n]
    answers = []
    for srv in (fast, reference):
        with srv.client() as api:
            answers.append(api.post("/graphql", content=body, headers={**headers, "X-Request-Id": f"refusal-{n}"}))
    mine, ref = answers
    assert mine.status_code != 500, mine.text
    same_answer(mine, ref)
    for header in ("www-authenticate", "retry-after", "x-ratelimit-limit"):
        assert mine.headers.get(header) == ref.headers.get(header), header


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
    owners, _ = both(pair, "POST", "/graphql", 997, json={"query": "{ instances { items { owner { email } } } }"})
    assert {i["owner"]["email"] for i in owners.json()["data"]["instances"]["items"]} == \
        {"owner@example.com", "mate@example.com"}
    g, _ = both(pair, "POST", "/graphql", 998, json={"query": "{ teams { items { description } } }"})
    assert b"\\u00e9quipe" in g.content
    assert pair[0].url != pair[1].url
