"""Virtual Kubernetes clusters over HTTP: the documented curl flow (create, list, kubeconfig,
delete), the same over GraphQL, the kubeconfig loaded by kubernetes_asyncio, every bad input
(status, error type, nothing written), tenant isolation and team sharing of reads, dry runs and
Idempotency-Key."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from kubernetes_asyncio import config as kube_config
from kubernetes_asyncio.client import Configuration
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from icgpu.db.tables import Event
from icgpu.db.tables_clusters import Cluster, SimCluster
from tests.server.test_clusters_kubeconfig_forms import check_against_document
from tests.support.contracts import assert_error
from tests.support.graphql import db_scalars, event_types, gql_data, gql_error
from tests.support.identity import add_member, new_team, sign_in
from tests.support.matrix import Db
from tests.support.server import Server, wait_for
from tests.support.tenants import Tenant

CLUSTERS = "/api/v1/clusters"
VERSIONS = ["1.29", "1.30", "1.31"]
DRY = {"dryRun": "true"}


# -- helpers ------------------------------------------------------------------------------------------

def create(api: httpx.Client, name: str, version: str = "1.31", **fields: Any) -> dict[str, Any]:
    r = api.post(CLUSTERS, json={"name": name, "version": version, **fields})
    assert r.status_code == 201, r.text
    c: dict[str, Any] = r.json()
    assert r.headers["location"] == f"{CLUSTERS}/{c['id']}"
    return c


def get(api: httpx.Client, cluster_id: str) -> dict[str, Any]:
    r = api.get(f"{CLUSTERS}/{cluster_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def wait_status(api: httpx.Client, cluster_id: str, status: str, timeout: float = 15.0) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        c = get(api, cluster_id)
        return c if c["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, what=f"{cluster_id} to be {status}"))


def written(server: Server) -> tuple[int, int, int]:
    """Rows a cluster write could add: clusters, simulated control planes, events; read once the
    reconciler has settled every cluster (so only the call under test could change them)."""
    moving = select(func.count()).select_from(Cluster).where(Cluster.status.in_(("pending", "provisioning",
                                                                                  "deleting")))
    wait_for(lambda: db_scalars(server, moving)[0] == 0, timeout=20, what="every cluster to settle")
    counts = [db_scalars(server, select(func.count()).select_from(m))[0] for m in (Cluster, SimCluster, Event)]
    return counts[0], counts[1], counts[2]


def stored(server: Server, cluster_id: str) -> dict[str, Any]:
    """The cluster's row in the server's database, column by column."""

    async def run() -> dict[str, Any]:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(select(Cluster.__table__).where(Cluster.id == cluster_id))).mappings().all()
                assert len(rows) == 1, rows
                return dict(rows[0])
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)


def load_kubeconfig(text: str, tmp: Path) -> tuple[Configuration, dict[str, Any], list[dict[str, Any]]]:
    """The kubeconfig as kubernetes_asyncio reads it: the client configuration of its current
    context, that context, and every context."""
    path = tmp / "kubeconfig.yaml"
    path.write_text(text)
    cfg = Configuration()

    async def load() -> None:
        await kube_config.load_kube_config(config_file=str(path), client_configuration=cfg, persist_config=False,
                                           temp_file_path=str(tmp))

    asyncio.run(load())
    contexts, current = kube_config.list_kube_config_contexts(config_file=str(path))
    assert current is not None
    return cfg, dict(current), [dict(c) for c in contexts]


def check_kubeconfig(server: Server, c: dict[str, Any], text: str, tmp: Path) -> str:
    """Every field, as a Kubernetes client reads it; returns the bearer token."""
    cfg, current, contexts = load_kubeconfig(text, tmp)
    assert [ctx["name"] for ctx in contexts] == [c["name"]]
    assert current["name"] == c["name"]
    assert current["context"] == {"cluster": c["name"], "user": f"{c['name']}-admin", "namespace": "default"}
    assert cfg.host == c["server_url"] == f"https://{c['id']}.clusters.127.0.0.1:6443"
    # The CA data decodes to the cluster's own CA certificate, a self-signed CA.
    ca = x509.load_pem_x509_certificate(Path(cfg.ssl_ca_cert).read_bytes())
    assert ca.subject == ca.issuer and c["id"] in ca.subject.rfc4514_string()
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)
    ca.verify_directly_issued_by(ca)
    row = stored(server, c["id"])
    assert Path(cfg.ssl_ca_cert).read_text() == row["ca_cert_pem"]
    bearer = cfg.api_key["BearerToken"]
    assert bearer.startswith("Bearer icgpu-kc-")
    token = bearer.removeprefix("Bearer ")
    assert cfg.verify_ssl is True and not cfg.cert_file and not cfg.key_file
    # Stored only as a hash: the row holds its SHA-256 and nowhere the token itself.
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(v) for v in row.values())
    assert "PRIVATE KEY" in str(row["ca_key_pem"]) and "ENCRYPTED" in str(row["ca_key_pem"])
    return str(token)


# -- the documented flow, over REST ---------------------------------------------------------------------

def test_documented_curl_flow(server: Server, alice: Tenant, tmp_path: Path) -> None:
    api = alice.api
    # curl -X POST /api/v1/clusters -d '{"name": "training-cluster", "version": "1.31"}'
    c = create(api, "training-cluster", "1.31")
    assert c["id"].startswith("cls-") and c["name"] == "training-cluster" and c["version"] == "1.31"
    assert c["status"] == "pending" and c["team_id"] is None and c["account_id"] == alice.account_id
    assert set(c) == {"id", "name", "version", "status", "status_reason", "team_id", "server_url", "account_id",
                      "created_at", "updated_at", "terminated_at"}
    # curl /api/v1/clusters
    r = api.get(CLUSTERS)
    assert r.status_code == 200 and set(r.json()) == {"clusters", "nextToken"}, r.text
    assert [x["id"] for x in r.json()["clusters"]] == [c["id"]] and r.json()["nextToken"] is None

    running = wait_status(api, c["id"], "running")
    assert running["server_url"] == f"https://{c['id']}.clusters.127.0.0.1:6443"
    assert running["status_reason"] is None

    # curl /api/v1/clusters/cls-abc123/kubeconfig -o kubeconfig.yaml
    r = api.get(f"{CLUSTERS}/{c['id']}/kubeconfig")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/yaml")
    assert r.headers["cache-control"] == "no-store"
    assert "attachment" in r.headers["content-disposition"]
    token = check_kubeconfig(server, running, r.text, tmp_path)
    # The API key reads the same kubeconfig; JSON on request, with the same parts.
    assert alice.key_api.get(f"{CLUSTERS}/{c['id']}/kubeconfig").text == r.text
    j = api.get(f"{CLUSTERS}/{c['id']}/kubeconfig", headers={"Accept": "application/json"})
    assert j.status_code == 200 and j.headers["content-type"].startswith("application/json"), j.text
    parts = j.json()
    assert parts["kubeconfig"] == r.text and parts["token"] == token and parts["context"] == "training-cluster"
    assert parts["server_url"] == running["server_url"] and parts["namespace"] == "default"
    assert parts["client_certificate_data"] is None and parts["client_key_data"] is None  # a token's user
    check_against_document(parts, r.text)
    assert base64.b64decode(parts["certificate_authority_data"]).decode() == stored(server, c["id"])["ca_cert_pem"]

    # curl -X DELETE /api/v1/clusters/cls-abc123
    r = api.delete(f"{CLUSTERS}/{c['id']}")
    assert r.status_code == 200 and r.json()["status"] == "deleting", r.text
    # The credential is revoked at once: no kubeconfig, no hash left to match the token.
    assert_error(api.get(f"{CLUSTERS}/{c['id']}/kubeconfig"), 404, "ResourceNotFoundException")
    row = stored(server, c["id"])
    assert row["token_hash"] is None and row["token_salt"] is None and row["ca_key_pem"] is None
    gone = wait_status(api, c["id"], "terminated")
    assert gone["terminated_at"] is not None and gone["server_url"] is None
    assert_error(api.get(f"{CLUSTERS}/{c['id']}/kubeconfig"), 404, "ResourceNotFoundException")
    assert_error(api.delete(f"{CLUSTERS}/{c['id']}"), 409, "ConflictException", code="InvalidStateTransition")
    assert api.get(CLUSTERS).json()["clusters"] == []
    assert db_scalars(server, select(SimCluster.cluster_id).where(SimCluster.cluster_id == c["id"])) == []
    assert event_types(server, c["id"]) == ["cluster.created", "cluster.provisioning", "cluster.running",
                                            "cluster.deleting", "cluster.terminated"]
    # The name is free again once the cluster is deleted.
    again = create(api, "training-cluster")
    assert again["id"] != c["id"]


def test_default_version_pages_and_idempotency(server: Server, alice: Tenant) -> None:
    api = alice.api
    r = api.post(CLUSTERS, json={"name": "defaults"})
    assert r.status_code == 201 and r.json()["version"] == VERSIONS[-1], r.text
    ids = [r.json()["id"], create(api, "second", "1.29")["id"], create(api, "third", "1.30")["id"]]
    seen, token = [], None
    for _ in range(5):
        params: dict[str, Any] = {"maxResults": 1, **({"nextToken": token} if token else {})}
        page = api.get(CLUSTERS, params=params).json()
        seen += [x["id"] for x in page["clusters"]]
        token = page["nextToken"]
        if token is None:
            break
    assert seen == ids
    assert_error(api.get(CLUSTERS, params={"nextToken": "forged"}), 400, "ValidationException",
                 code="InvalidPaginationToken")
    # Idempotency-Key: the first answer replayed, one cluster made.
    before = written(server)
    key = {"Idempotency-Key": "cls-once"}
    first = api.post(CLUSTERS, json={"name": "once"}, headers=key)
    replay = api.post(CLUSTERS, json={"name": "once"}, headers=key)
    assert first.status_code == replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert first.json() == replay.json()
    assert written(server)[0] == before[0] + 1
    assert_error(api.post(CLUSTERS, json={"name": "other"}, headers=key), 409, "ConflictException",
                 code="IdempotencyKeyReused")


def test_dry_runs_write_nothing(server: Server, alice: Tenant) -> None:
    api = alice.api
    c = create(api, "dry-target")
    wait_status(api, c["id"], "running")
    before = written(server)
    r = api.post(CLUSTERS, params=DRY, json={"name": "dry-new", "version": "1.30"})
    assert r.status_code == 200 and set(r.json()) == {"dryRun", "valid", "cluster"}, r.text
    assert r.json()["cluster"]["status"] == "pending" and r.json()["cluster"]["version"] == "1.30"
    assert "location" not in r.headers
    r = api.delete(f"{CLUSTERS}/{c['id']}", params=DRY)
    assert r.status_code == 200 and r.json()["cluster"]["status"] == "deleting", r.text
    # Refused dry runs are refused as the real call would be.
    assert_error(api.post(CLUSTERS, params=DRY, json={"name": "dry-target"}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    assert written(server) == before
    assert get(api, c["id"])["status"] == "running"
    assert api.get(f"{CLUSTERS}/{c['id']}/kubeconfig").status_code == 200


# -- bad input: status, error type, field, and nothing written ---------------------------------------------

BAD_BODIES = [
    ({"name": "v", "version": "1.99"}, "version"),
    ({"name": "v", "version": "v1.31"}, "version"),
    ({"name": "v", "version": 1.31}, "version"),
    ({"name": "Bad_Name"}, "name"),
    ({"name": "-leading"}, "name"),
    ({"name": "trailing-"}, "name"),
    ({"name": "x" * 64}, "name"),
    ({"name": ""}, "name"),
    ({"name": "nul\u0000byte"}, "name"),
    ({"version": "1.31"}, "name"),
    ({"name": "ok", "surprise": 1}, "surprise"),
    ({"name": "ok", "team_id": "team-doesnotexist"}, "team_id"),
    ({"name": "ok", "team_id": "not a team"}, "team_id"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD_BODIES)])
def test_bad_input_is_a_400_naming_the_field(server: Server, alice: Tenant, body: dict[str, Any],
                                             field: str) -> None:
    before = written(server)
    err = assert_error(alice.api.post(CLUSTERS, json=body), 400, "ValidationException", field=field)
    if field == "version":
        assert all(v in err["message"] for v in VERSIONS), err
    assert written(server) == before


def test_control_characters_in_every_text_field_are_400(server: Server, alice: Tenant) -> None:
    """Input hygiene (docs/errors.md) on the cluster's text fields, over REST and GraphQL."""
    before = written(server)
    for field, sample in (("name", "hyg-cls"), ("version", "1.31"), ("team_id", "team-aaaaaaaaaaaa")):
        for ch in ("\x00", "\x07", "\x1b", "\n", "\x7f", "\x85", "\uffff"):
            body = {"name": "hyg-cls", field: sample[:2] + ch + sample[2:]}
            err = assert_error(alice.api.post(CLUSTERS, json=body), 400, "ValidationException", field=field)
            assert "control character" in err["message"], (field, repr(ch), err)
            gvars = {"input": {"name": body["name"], **({"version": body["version"]} if "version" in body else {}),
                               **({"teamId": body["team_id"]} if "team_id" in body else {})}}
            gerr = gql_error(alice.api, CREATE, gvars)
            assert gerr["extensions"]["field"] == {"team_id": "teamId"}.get(field, field), gerr
            assert "control character" in gerr["message"], gerr
    assert written(server) == before


def test_unknown_version_over_graphql_lists_the_versions(server: Server, alice: Tenant) -> None:
    before = written(server)
    err = gql_error(alice.api, CREATE, {"input": {"name": "gv", "version": "2.0"}})
    assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == "version"
    assert all(v in err["message"] for v in VERSIONS), err
    assert written(server) == before


def test_duplicate_name_is_a_409_and_writes_nothing(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    create(alice.api, "dup")
    before = written(server)
    assert_error(alice.api.post(CLUSTERS, json={"name": "dup", "version": "1.30"}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    err = gql_error(alice.api, CREATE, {"input": {"name": "dup"}})
    assert err["extensions"]["code"] == "ConflictException" and err["extensions"]["reason"] == "ResourceAlreadyExists"
    assert written(server) == before
    # Names are per owner: another tenant (or account) may use it.
    other = tenant_factory()
    assert create(other.api, "dup")["name"] == "dup"


def test_ids_and_paths_that_name_nothing(server: Server, alice: Tenant) -> None:
    for bad in ("cls-doesnotexist", "inst-abc", "cls-UPPER", "x"):
        for method, path in (("GET", f"{CLUSTERS}/{bad}"), ("GET", f"{CLUSTERS}/{bad}/kubeconfig"),
                             ("DELETE", f"{CLUSTERS}/{bad}")):
            assert_error(alice.api.request(method, path), 404, "ResourceNotFoundException")
    assert_error(server.client().get(CLUSTERS), 401, "AuthenticationError")


# -- who sees what ---------------------------------------------------------------------------------------

def test_tenant_isolation_and_team_sharing(server: Server, tmp_path: Path) -> None:
    owner = sign_in(server, "clsteam", "owner@clsteam.example.com")
    viewer = sign_in(server, "clsteam", "viewer@clsteam.example.com")
    outsider = sign_in(server, "clsteam", "outsider@clsteam.example.com")
    foreign = sign_in(server, "clsother", "foreign@clsother.example.com")
    member = sign_in(server, "clsteam", "member@clsteam.example.com")
    team = new_team(owner.api, "platform")
    assert add_member(owner.api, team["id"], viewer.id, "viewer").status_code == 201
    assert add_member(owner.api, team["id"], member.id, "member").status_code == 201
    # A viewer may not share a new cluster with the team; the owner may.
    assert_error(viewer.api.post(CLUSTERS, json={"name": "nope", "team_id": team["id"]}), 403,
                 "AccessDeniedException", code="TeamRoleTooLow")
    shared = create(owner.api, "shared", team_id=team["id"])
    private = create(owner.api, "private")
    assert shared["team_id"] == team["id"]
    wait_status(owner.api, shared["id"], "running")
    wait_status(owner.api, private["id"], "running")

    # The viewer sees the shared cluster but may neither use it (its kubeconfig holds a credential
    # that acts on the cluster) nor delete it; a member may use it.
    assert [c["id"] for c in viewer.api.get(CLUSTERS).json()["clusters"]] == [shared["id"]]
    assert_error(viewer.api.get(f"{CLUSTERS}/{shared['id']}/kubeconfig"), 403, "AccessDeniedException",
                 code="TeamRoleTooLow")
    assert gql_error(viewer.api, KUBECONFIG, {"id": shared["id"]})["extensions"]["code"] == "AccessDeniedException"
    r = member.api.get(f"{CLUSTERS}/{shared['id']}/kubeconfig")
    assert r.status_code == 200 and r.text == owner.api.get(f"{CLUSTERS}/{shared['id']}/kubeconfig").text
    assert_error(viewer.api.delete(f"{CLUSTERS}/{shared['id']}"), 403, "AccessDeniedException")
    for who in (viewer, outsider, foreign):
        for path in (f"{CLUSTERS}/{private['id']}", f"{CLUSTERS}/{private['id']}/kubeconfig"):
            assert_error(who.api.get(path), 404, "ResourceNotFoundException")
        assert_error(who.api.delete(f"{CLUSTERS}/{private['id']}"), 404, "ResourceNotFoundException")
    for who in (outsider, foreign):
        assert who.api.get(CLUSTERS).json()["clusters"] == []
        assert_error(who.api.get(f"{CLUSTERS}/{shared['id']}/kubeconfig"), 404, "ResourceNotFoundException")
        err = gql_error(who.api, KUBECONFIG, {"id": shared["id"]})
        assert err["extensions"]["code"] == "ResourceNotFoundException"

    # A key without the clusters scope, and a read-only one.
    scoped = owner.api.post("/api/v1/api-keys", json={"name": "k1", "scopes": ["instances"]}).json()["key"]
    readonly = owner.api.post("/api/v1/api-keys", json={"name": "k2", "scopes": ["clusters"],
                                                         "permissions": ["read"]}).json()["key"]
    with server.client(scoped) as s, server.client(readonly) as ro:
        assert_error(s.get(CLUSTERS), 403, "AccessDeniedException", code="ScopeNotGranted")
        assert_error(s.get(f"{CLUSTERS}/{shared['id']}/kubeconfig"), 403, "AccessDeniedException")
        assert ro.get(f"{CLUSTERS}/{shared['id']}").status_code == 200
        assert_error(ro.get(f"{CLUSTERS}/{shared['id']}/kubeconfig"), 403, "AccessDeniedException",
                     code="PermissionNotGranted")
        assert_error(ro.post(CLUSTERS, json={"name": "ro"}), 403, "AccessDeniedException",
                     code="PermissionNotGranted")
        assert_error(ro.delete(f"{CLUSTERS}/{shared['id']}"), 403, "AccessDeniedException")
    # The owner deletes the shared cluster: the member's copy of the credential is revoked too.
    token = check_kubeconfig(server, get(owner.api, shared["id"]), r.text, tmp_path)
    assert owner.api.delete(f"{CLUSTERS}/{shared['id']}").status_code == 200
    assert_error(member.api.get(f"{CLUSTERS}/{shared['id']}/kubeconfig"), 404, "ResourceNotFoundException")
    assert db_scalars(server, select(Cluster.id).where(
        Cluster.token_hash == hashlib.sha256(token.encode()).hexdigest())) == []


# -- GraphQL ---------------------------------------------------------------------------------------------

FIELDS = "id name version status statusReason teamId serverUrl createdAt updatedAt terminatedAt owner { id email }"
CREATE = f"""mutation Create($input: CreateClusterInput!, $dry: Boolean! = false) {{
  createCluster(input: $input, dryRun: $dry) {{ dryRun valid cluster {{ {FIELDS} }} }} }}"""
DELETE = f"""mutation Delete($id: ID!, $dry: Boolean! = false) {{
  deleteCluster(id: $id, dryRun: $dry) {{ dryRun valid cluster {{ {FIELDS} }} }} }}"""
GET = f"query Get($id: ID!) {{ cluster(id: $id) {{ {FIELDS} }} }}"
LIST = (f"query List($n: Int, $t: String) "
        f"{{ clusters(maxResults: $n, nextToken: $t) {{ items {{ {FIELDS} }} nextToken }} }}")
KUBECONFIG = """query Kube($id: ID!) { clusterKubeconfig(id: $id) {
  clusterId context namespace serverUrl certificateAuthorityData token clientCertificateData clientKeyData
  kubeconfig } }"""


def test_the_same_flow_over_graphql(server: Server, alice: Tenant, tmp_path: Path) -> None:
    api = alice.key_api
    assert gql_data(api, "{ clusterVersions }")["clusterVersions"] == VERSIONS
    before = written(server)
    dry = gql_data(api, CREATE, {"input": {"name": "gql-cluster", "version": "1.30"}, "dry": True})["createCluster"]
    assert dry["dryRun"] is True and dry["valid"] is True and dry["cluster"]["status"] == "PENDING"
    assert written(server) == before

    made = gql_data(api, CREATE, {"input": {"name": "gql-cluster", "version": "1.30"}})["createCluster"]
    c = made["cluster"]
    assert made["dryRun"] is False and c["id"].startswith("cls-") and c["version"] == "1.30"
    assert c["owner"]["id"] == alice.account_id and c["teamId"] is None
    listed = gql_data(api, LIST, {"n": 10})["clusters"]["items"]
    assert [x["id"] for x in listed] == [c["id"]]

    def running() -> dict[str, Any] | None:
        got: dict[str, Any] = gql_data(api, GET, {"id": c["id"]})["cluster"]
        return got if got["status"] == "RUNNING" else None

    live = wait_for(running, timeout=15, what="cluster running")
    # Once it has settled, the list shows exactly what the get shows.
    assert gql_data(api, LIST, {"n": 10})["clusters"]["items"] == [live]
    k = gql_data(api, KUBECONFIG, {"id": c["id"]})["clusterKubeconfig"]
    assert k["clusterId"] == c["id"] and k["context"] == "gql-cluster" and k["serverUrl"] == live["serverUrl"]
    assert k["kubeconfig"] == alice.api.get(f"{CLUSTERS}/{c['id']}/kubeconfig").text
    rest_view = {**get(alice.api, c["id"]), "name": "gql-cluster"}
    assert check_kubeconfig(server, rest_view, k["kubeconfig"], tmp_path) == k["token"]
    assert k["clientCertificateData"] is None and k["clientKeyData"] is None  # a token's user

    gone = gql_data(api, DELETE, {"id": c["id"]})["deleteCluster"]
    assert gone["cluster"]["status"] == "DELETING"
    err = gql_error(api, KUBECONFIG, {"id": c["id"]})
    assert err["extensions"]["code"] == "ResourceNotFoundException"
    err = gql_error(api, DELETE, {"id": c["id"]})
    assert err["extensions"]["reason"] == "InvalidStateTransition"


def test_kubeconfig_before_the_control_plane_has_an_address(make_server: Any) -> None:
    srv = make_server(ICGPU_RUN_WORKERS="false")  # nothing moves the cluster past pending
    person = sign_in(srv, "idle", "owner@idle.example.com")
    try:
        c = create(person.api, "waiting")
        err = assert_error(person.api.get(f"{CLUSTERS}/{c['id']}/kubeconfig"), 409, "ConflictException",
                           code="ClusterNotReady")
        assert "pending" in err["message"]
        assert gql_error(person.api, KUBECONFIG, {"id": c["id"]})["extensions"]["reason"] == "ClusterNotReady"
        # Deleting a cluster that never got a control plane still goes through deleting.
        assert person.api.delete(f"{CLUSTERS}/{c['id']}").json()["status"] == "deleting"
        assert_error(person.api.get(f"{CLUSTERS}/{c['id']}/kubeconfig"), 404, "ResourceNotFoundException")
    finally:
        person.api.close()


# -- the reconciler ---------------------------------------------------------------------------------------

def test_restart_mid_transition_resumes_and_a_lost_control_plane_comes_back(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_LOCAL_PROVISION_SECONDS="3", ICGPU_LOCAL_STOP_SECONDS="3")
    boot = srv.bootstrap("cls-restart", "owner@restart.example.com")
    with srv.client(boot["api_key"]) as api:
        c = create(api, "survivor")
        wait_status(api, c["id"], "provisioning", timeout=10)
    srv.kill()  # SIGKILL while the control plane is starting

    srv.start()  # same database, same port
    with srv.client(boot["api_key"]) as api:
        assert get(api, c["id"])["status"] in ("provisioning", "running")
        running = wait_status(api, c["id"], "running", timeout=20)
        kubeconfig = api.get(f"{CLUSTERS}/{c['id']}/kubeconfig").text
        # The simulated control plane disappears: provisioned again, with the same credential.
        db = Db(srv.db_url)
        try:
            assert db.execute(delete(SimCluster).where(SimCluster.cluster_id == c["id"])) == 1
        finally:
            db.close()
        wait_for(lambda: get(api, c["id"])["status_reason"] == "control plane lost; provisioning again"
                 or event_types(srv, c["id"]).count("cluster.provisioning") == 2, timeout=20,
                 what="the lost control plane to be noticed")
        again = wait_status(api, c["id"], "running", timeout=20)
        assert again["server_url"] == running["server_url"]
        assert api.get(f"{CLUSTERS}/{c['id']}/kubeconfig").text == kubeconfig
        assert api.delete(f"{CLUSTERS}/{c['id']}").status_code == 200
    srv.kill()  # SIGKILL while the control plane is being removed

    srv.start()
    with srv.client(boot["api_key"]) as api:
        wait_status(api, c["id"], "terminated", timeout=20)
    assert db_scalars(srv, select(SimCluster.cluster_id)) == []
    # Each change happened exactly once across both crashes (the loss adds one provisioning pass).
    assert event_types(srv, c["id"]) == ["cluster.created", "cluster.provisioning", "cluster.running",
                                         "cluster.provisioning", "cluster.running", "cluster.deleting",
                                         "cluster.terminated"]
