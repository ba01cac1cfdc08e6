"""Request validation over real HTTP: every bad input is a 400 ValidationException naming the field,
and writes nothing; another tenant's instance is always 404; errors are JSON without tracebacks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.auth import assert_error, assert_no_traceback, db_counts, resource_events
from tests.support.server import Server, wait_for
from tests.support.tenants import Tenant, open_tenant

SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtGK3OPT3yb55+33+VIorEs5hTYuNnb4X3/Waa9Si6w alice@laptop"
OK = {"name": "valid-name", "tier": "mig"}
CREATE_MUTATION = """
mutation Create($input: CreateInstanceInput!) {
  createInstance(input: $input) { instance { id } }
}
"""
DELETE_MUTATION = "mutation($id: ID!) { deleteInstance(id: $id) { instance { id } } }"


@pytest.fixture(scope="module")
def carol(server: Server) -> Iterator[Tenant]:
    """A module-wide tenant that never gets an instance: every bad request is made as carol."""
    with open_tenant(server, "carol-co", "carol@example.com") as tenant:
        yield tenant


def rejected(server: Server, who: Tenant, request: Any, field: str | None, **expect: Any) -> dict[str, Any]:
    """``request(client)`` is a 400 ValidationException naming ``field``; nothing was written."""
    before = db_counts(server, who.name)
    err = assert_error(request(who.api), 400, "ValidationException", field=field, **expect)
    assert db_counts(server, who.name) == before
    assert who.api.get("/api/v1/instances").json()["instances"] == []
    return err


def body(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in {**OK, **fields}.items() if v is not DROP}


DROP = object()
JSON = {"Content-Type": "application/json"}

# name: (request kwargs for POST /api/v1/instances, field named in the error)
BAD_CREATES: dict[str, tuple[dict[str, Any], str | None]] = {
    "malformed-json": ({"content": b'{"name": "x", "tier": ', "headers": JSON}, "body"),
    "malformed-json-single-quotes": ({"content": b"{'name': 'x'}", "headers": JSON}, "body"),
    "not-utf8": ({"content": b'{"name": "\xff\xfe"}', "headers": JSON}, "body"),
    "empty-body": ({"content": b"", "headers": JSON}, "body"),
    "whitespace-body": ({"content": b"  \n ", "headers": JSON}, "body"),
    "json-array": ({"json": [OK]}, "body"),
    "json-string": ({"json": "valid-name"}, "body"),
    "json-null": ({"content": b"null", "headers": JSON}, "body"),
    "deeply-nested-json": ({"content": b"[" * 100_000 + b"]" * 100_000, "headers": JSON}, "body"),
    "storage-as-string": ({"json": body(storage_gb="100")}, "storage_gb"),
    "storage-as-float": ({"json": body(storage_gb=10.5)}, "storage_gb"),
    "storage-as-bool": ({"json": body(storage_gb=True)}, "storage_gb"),
    "storage-null": ({"json": body(storage_gb=None)}, "storage_gb"),
    "storage-nan": ({"content": b'{"name": "valid-name", "tier": "mig", "storage_gb": NaN}', "headers": JSON},
                    "body"),
    "storage-infinity": ({"content": b'{"name": "valid-name", "tier": "mig", "storage_gb": Infinity}',
                          "headers": JSON}, "body"),
    "storage-9": ({"json": body(storage_gb=9)}, "storage_gb"),
    "storage-501": ({"json": body(storage_gb=501)}, "storage_gb"),
    "storage-negative": ({"json": body(storage_gb=-100)}, "storage_gb"),
    "storage-huge": ({"json": body(storage_gb=10**30)}, "storage_gb"),
    "name-as-number": ({"json": body(name=5)}, "name"),
    "name-as-list": ({"json": body(name=["a"])}, "name"),
    "name-missing": ({"json": body(name=DROP)}, "name"),
    "name-empty": ({"json": body(name="")}, "name"),
    "name-uppercase": ({"json": body(name="MyJob")}, "name"),
    "name-spaces": ({"json": body(name="my job")}, "name"),
    "name-too-long": ({"json": body(name="a" * 64)}, "name"),
    "name-leading-hyphen": ({"json": body(name="-job")}, "name"),
    "name-trailing-hyphen": ({"json": body(name="job-")}, "name"),
    "name-underscore": ({"json": body(name="my_job")}, "name"),
    "name-unicode": ({"json": body(name="jöb")}, "name"),
    "name-nul": ({"json": body(name="job\u0000x")}, "name"),
    "tier-unknown": ({"json": body(tier="h100-mega")}, "tier"),
    "tier-wrong-case": ({"json": body(tier="Dedicated")}, "tier"),
    "tier-missing": ({"json": body(tier=DROP)}, "tier"),
    "tier-as-number": ({"json": body(tier=1)}, "tier"),
    "unknown-field": ({"json": body(gpu_count=8)}, "gpu_count"),
    "workload-type-invalid": ({"json": body(workload_type="spot")}, "workload_type"),
    "workload-type-case": ({"json": body(workload_type="BATCH")}, "workload_type"),
    "ssh-key-garbage": ({"json": body(ssh_key="not a key")}, "ssh_key"),
    "ssh-key-no-body": ({"json": body(ssh_key="ssh-ed25519")}, "ssh_key"),
    "ssh-key-private-key": ({"json": body(ssh_key="-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz\n")},
                            "ssh_key"),
    "ssh-key-bad-base64": ({"json": body(ssh_key="ssh-ed25519 AAAA$$$$ me@host")}, "ssh_key"),
    "ssh-key-second-line-injected": ({"json": body(ssh_key=SSH + "\nssh-rsa AAAAB3Nza evil@host")}, "ssh_key"),
    "ssh-key-nul-in-comment": ({"json": body(ssh_key=SSH + "\u0000x")}, "ssh_key"),
    "ssh-key-lone-surrogate": ({"content": b'{"name": "valid-name", "tier": "mig", '
                                           b'"ssh_key": "ssh-ed25519 AAAA me\\ud800"}', "headers": JSON}, "ssh_key"),
    "ssh-key-tab-in-comment": ({"json": body(ssh_key=SSH + "\tx")}, "ssh_key"),
    "ssh-key-as-number": ({"json": body(ssh_key=42)}, "ssh_key"),
}


@pytest.mark.parametrize("case", list(BAD_CREATES))
def test_bad_create_is_400_naming_the_field(server: Server, carol: Tenant, case: str) -> None:
    kwargs, field = BAD_CREATES[case]
    err = rejected(server, carol, lambda c: c.post("/api/v1/instances", **kwargs), field)
    if field and field != "body":
        assert field in err["message"], err


def test_bad_create_with_idempotency_key_is_400(server: Server, carol: Tenant) -> None:
    """The idempotency layer reads the body too: it must not turn odd bodies into 500s."""
    for content in (b"[" * 100_000 + b"]" * 100_000, b'{"name": "\xff"}', b"{"):
        key = uuid.uuid4().hex
        r = carol.api.post("/api/v1/instances", content=content, headers={**JSON, "Idempotency-Key": key})
        assert_error(r, 400, "ValidationException", field="body")
    assert carol.api.get("/api/v1/instances").json()["instances"] == []


def test_dry_run_validates_too(server: Server, carol: Tenant) -> None:
    rejected(server, carol, lambda c: c.post("/api/v1/instances?dryRun=true", json=body(storage_gb=5)),
             "storage_gb")
    rejected(server, carol, lambda c: c.post("/api/v1/instances?dryRun=maybe", json=OK), "dryRun")


def test_storage_bounds_are_inclusive(server: Server, alice: Tenant) -> None:
    for gb in (10, 500):
        r = alice.api.post("/api/v1/instances", json={"name": f"edge-{gb}", "tier": "timesliced",
                                                      "storage_gb": gb, "ssh_key": SSH,
                                                      "workload_type": "batch"})
        assert r.status_code == 201, r.text
        assert r.json()["storage_gb"] == gb
    r = alice.api.post("/api/v1/instances", json={"name": "a" * 63, "tier": "dedicated"})
    assert r.status_code == 201, r.text
    names = sorted(i["name"] for i in alice.api.get("/api/v1/instances").json()["instances"])
    assert names == sorted(["edge-10", "edge-500", "a" * 63])


# -- list parameters -----------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ("maxResults=0", "maxResults"),
    ("maxResults=101", "maxResults"),
    ("maxResults=-1", "maxResults"),
    ("maxResults=ten", "maxResults"),
    ("maxResults=1.5", "maxResults"),
    ("nextToken=garbage", "nextToken"),
    ("nextToken=abc.def", "nextToken"),
    ("nextToken=%F0%9F%92%A5.x", "nextToken"),
    ("nextToken=" + "A" * 3000, "nextToken"),
], ids=lambda v: v[:30] if isinstance(v, str) else None)
def test_bad_list_parameters_are_400(server: Server, carol: Tenant, query: str, field: str) -> None:
    rejected(server, carol, lambda c: c.get(f"/api/v1/instances?{query}"), field)


def test_next_token_from_another_list_is_400(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    for i in range(2):
        assert alice.api.post("/api/v1/instances", json={"name": f"page-{i}", "tier": "mig"}).status_code == 201
    page = alice.api.get("/api/v1/instances?maxResults=1").json()
    assert page["nextToken"]
    # Alice's own token works, tampering with it does not, and nobody else can use it.
    assert alice.api.get(f"/api/v1/instances?maxResults=1&nextToken={page['nextToken']}").status_code == 200
    head, _, sig = page["nextToken"].partition(".")
    tampered = head[:-1] + ("A" if head[-1] != "A" else "B") + "." + sig
    assert_error(alice.api.get(f"/api/v1/instances?nextToken={tampered}"), 400, "ValidationException",
                 field="nextToken")
    bob: Tenant = tenant_factory()
    assert_error(bob.api.get(f"/api/v1/instances?nextToken={page['nextToken']}"), 400, "ValidationException",
                 field="nextToken")


def test_graphql_list_arguments_are_validated(server: Server, carol: Tenant) -> None:
    for args, field in (("maxResults: 0", "maxResults"), ("maxResults: 101", "maxResults"),
                        ('nextToken: "garbage"', "nextToken")):
        r = carol.api.post("/graphql", json={"query": f"{{ instances({args}) {{ items {{ id }} }} }}"})
        assert r.status_code == 200, r.text
        assert_no_traceback(r)
        errors = r.json()["errors"]
        assert errors[0]["extensions"]["code"] == "ValidationException", errors
        assert errors[0]["extensions"]["field"] == field, errors


# -- other tenants' instances --------------------------------------------------------------------

def test_another_tenants_instance_is_not_found(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    created = alice.api.post("/api/v1/instances", json={"name": "secret", "tier": "mig"})
    assert created.status_code == 201
    inst_id = created.json()["id"]
    wait_for(lambda: alice.api.get(f"/api/v1/instances/{inst_id}").json()["status"] == "running",
             what="instance running")
    before = alice.api.get(f"/api/v1/instances/{inst_id}").json()
    events_before = resource_events(server, inst_id)

    bob: Tenant = tenant_factory()
    # Another account in alice's own tenant sees no more than another tenant does.
    colleague: Tenant = tenant_factory(name=alice.name, email=f"colleague-{uuid.uuid4().hex[:6]}@example.com")
    missing = "inst-" + "z" * 12
    for who in (bob, colleague):
        for api in (who.api, who.key_api):
            calls = [
                lambda a, i: a.get(f"/api/v1/instances/{i}"),
                lambda a, i: a.post(f"/api/v1/instances/{i}/stop"),
                lambda a, i: a.post(f"/api/v1/instances/{i}/start"),
                lambda a, i: a.post(f"/api/v1/instances/{i}/requeue"),
                lambda a, i: a.delete(f"/api/v1/instances/{i}"),
            ]
            for call in calls:
                theirs = assert_error(call(api, inst_id), 404, "ResourceNotFoundException")
                nothing = assert_error(call(api, missing), 404, "ResourceNotFoundException")
                # No existence oracle: the same answer as for an id that does not exist.
                assert theirs["code"] == nothing["code"]
                assert theirs["message"] == nothing["message"].replace(missing, inst_id)
            assert inst_id not in [i["id"] for i in api.get("/api/v1/instances").json()["instances"]]
        g = who.api.post("/graphql", json={"query": DELETE_MUTATION, "variables": {"id": inst_id}}).json()
        assert g["data"] is None and g["errors"][0]["extensions"]["code"] == "ResourceNotFoundException", g
        q = who.api.post("/graphql", json={"query": "query($id: ID!) { instance(id: $id) { id name } }",
                                           "variables": {"id": inst_id}}).json()
        assert q["data"] is None and q["errors"][0]["extensions"]["code"] == "ResourceNotFoundException", q

    after = alice.api.get(f"/api/v1/instances/{inst_id}").json()
    assert after == before
    assert after["status"] == "running"
    assert resource_events(server, inst_id) == events_before


# -- GraphQL input validation --------------------------------------------------------------------

@pytest.mark.parametrize(("input_", "field"), [
    ({"name": "gql-x", "tier": "mig", "storageGb": 5}, "storageGb"),
    ({"name": "gql-x", "tier": "mig", "storageGb": 501}, "storageGb"),
    ({"name": "gql-x", "tier": "h100-mega"}, "tier"),
    ({"name": "Bad Name", "tier": "mig"}, "name"),
    ({"name": "gql-x", "tier": "mig", "sshKey": "nope"}, "sshKey"),
])
def test_graphql_create_validation(server: Server, carol: Tenant, input_: dict[str, Any], field: str) -> None:
    before = db_counts(server, carol.name)
    r = carol.api.post("/graphql", json={"query": CREATE_MUTATION, "variables": {"input": input_}})
    assert r.status_code == 200, r.text
    assert_no_traceback(r)
    out = r.json()
    assert out["data"] is None, out
    [error] = out["errors"]
    assert error["extensions"]["code"] == "ValidationException", error
    assert error["extensions"]["field"] == field, error
    assert error["path"] == ["createInstance"], error
    assert db_counts(server, carol.name) == before


@pytest.mark.parametrize("input_", [
    {"name": "gql-x", "tier": "mig", "storageGb": "100"},  # wrong GraphQL type
    {"name": "gql-x", "tier": "mig", "storageGb": 10.5},
    {"name": "gql-x"},  # tier is required
    {"name": "gql-x", "tier": "mig", "workloadType": "SPOT"},
    {"name": "gql-x", "tier": "mig", "gpuCount": 8},  # no such input field
])
def test_graphql_create_type_errors(server: Server, carol: Tenant, input_: dict[str, Any]) -> None:
    before = db_counts(server, carol.name)
    r = carol.api.post("/graphql", json={"query": CREATE_MUTATION, "variables": {"input": input_}})
    assert_no_traceback(r)
    out = r.json()
    assert out.get("data") is None, out
    assert out["errors"] and all(e["extensions"]["code"] == "ValidationException" for e in out["errors"]), out
    assert db_counts(server, carol.name) == before


# -- unknown routes and odd requests -------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/nope"),
    ("GET", "/api/v1/nope"),
    ("GET", "/api/v2/instances"),
    ("POST", "/api/v1/instances/inst-x/explode"),
    ("GET", "/api/v1/instances/inst-x/stop/extra"),
])
def test_unknown_route_is_404_json(server: Server, carol: Tenant, method: str, path: str) -> None:
    with server.client() as anonymous:
        for client in (carol.api, anonymous):
            err = assert_error(client.request(method, path), 404, "ResourceNotFoundException")
            assert err["code"] == "RouteNotFound"


def test_no_response_contains_a_traceback(server: Server, carol: Tenant) -> None:
    """A battery of odd requests: each is answered with a JSON error below 500, never a traceback."""
    c = carol.api
    odd: list[httpx.Response] = [
        c.get("/api/v1/instances/%00"),
        c.get("/api/v1/instances/" + "x" * 5000),
        c.get("/api/v1/instances/%F0%9F%92%A5"),
        c.get("/api/v1/instances/inst-%27%3B%20DROP%20TABLE%20instances%3B--"),
        c.delete("/api/v1/instances/%00"),
        c.post("/api/v1/instances/%00/stop"),
        c.get("/api/v1/instances?nextToken=%00.%00"),
        c.post("/api/v1/instances", content=b'{"name": "x\\ud800", "tier": "mig"}', headers=JSON),
        c.post("/api/v1/instances", json={"name": "valid-name", "tier": "mig", "ssh_key": "ssh-ed25519 AAAA \x00"}),
        c.post("/api/v1/instances", content=b"name=x&tier=mig",
               headers={"Content-Type": "application/x-www-form-urlencoded"}),
        c.post("/api/v1/instances", content=b"\x00\x01\x02", headers={"Content-Type": "application/octet-stream"}),
        c.post("/api/v1/instances", content=b'{"name": "x"' + b" " * 100 + b"}", headers=JSON),
        c.put("/api/v1/instances", json=OK),
        c.patch("/api/v1/instances/inst-x", json=OK),
        c.post("/graphql", content=b"{not json", headers=JSON),
        c.post("/graphql", json={"query": "{ instances { items { id } "}),
        c.post("/graphql", json={"query": "{ nope }"}),
        c.post("/graphql", json={"query": 5}),
        c.post("/graphql", json={"query": "query($id: ID!) { instance(id: $id) { id } }",
                                 "variables": {"id": "\u0000"}}),
        c.post("/graphql", json={"query": "query($id: ID!) { instance(id: $id) { id } }",
                                 "variables": {"id": "x" * 5000}}),
    ]
    for r in odd:
        where = f"{r.request.method} {r.request.url}"
        assert_no_traceback(r)
        assert r.status_code < 500, f"{where}: {r.status_code} {r.text[:500]}"
        if r.request.url.path != "/graphql":
            assert 400 <= r.status_code < 500, f"{where}: {r.status_code} {r.text[:500]}"
            err = assert_error(r, r.status_code, r.json()["error"]["type"])
            assert err["type"] in ("ValidationException", "ResourceNotFoundException"), (where, err)
        elif r.status_code == 200:
            assert r.json()["errors"], f"{where}: {r.text[:500]}"
            assert all(e["extensions"]["code"] in ("ValidationException", "ResourceNotFoundException")
                       for e in r.json()["errors"]), f"{where}: {r.text[:500]}"
    assert carol.api.get("/api/v1/instances").json()["instances"] == []
