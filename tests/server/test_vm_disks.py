"""Persistent VM disks (issue 10, item 2): the documented curl flow over HTTP and the same over
GraphQL, every bad input (status, error type, nothing written), the unified storage quota, dry
runs, Idempotency-Key, pagination, tenant isolation and team sharing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from icgpu.db.tables import Event
from icgpu.db.tables_disks import VmDisk
from tests.support.contracts import SSH, Caller, assert_error, caller, count_rows, member, new_instance
from tests.support.server import Server

DISKS = "/api/v1/vm-disks"
VMS = "/api/v1/vms"
QUOTA = {"ICGPU_TENANT_STORAGE_QUOTA_GB": "2000"}
DISK_FIELDS = {"id", "name", "size_gb", "status", "vm_id", "team_id", "account_id", "attached_at", "created_at",
               "updated_at", "deleted_at"}


@pytest.fixture(scope="module")
def quota_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from pathlib import Path

    srv = Server(tmp=Path(tmp_path_factory.mktemp("srv")), extra_env=QUOTA).start()
    try:
        yield srv
    finally:
        srv.stop()


def fresh(server: Server, prefix: str = "disks") -> Caller:
    return caller(server, f"{prefix}-{uuid.uuid4().hex[:8]}")


def new_disk(api: httpx.Client, name: str, size_gb: int = 100, **fields: Any) -> dict[str, Any]:
    r = api.post(DISKS, json={"name": name, "size_gb": size_gb, **fields})
    assert r.status_code == 201, r.text
    disk: dict[str, Any] = r.json()
    assert set(disk) == DISK_FIELDS and disk["id"].startswith("disk-") and disk["status"] == "available", disk
    assert r.headers["location"] == f"{DISKS}/{disk['id']}"
    return disk


def new_vm(api: httpx.Client, name: str, disk_gb: int = 20) -> dict[str, Any]:
    r = api.post(VMS, json={"name": name, "templateId": "tpl-ubuntu-cpu", "diskGb": disk_gb, "sshKey": SSH})
    assert r.status_code == 201, r.text
    return dict(r.json())


def disk_of(api: httpx.Client, disk_id: str) -> dict[str, Any]:
    r = api.get(f"{DISKS}/{disk_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def used_gb(api: httpx.Client) -> int:
    r = api.get("/api/v1/quotas")
    assert r.status_code == 200, r.text
    return int(r.json()["storage"]["used_gb"])


def disk_events(server: Server, disk_id: str, kind: str | None = None) -> int:
    where: dict[str, Any] = {"resource_id": disk_id}
    if kind:
        where["type"] = f"vm_disk.{kind}"
    return count_rows(server, Event, **where)


def attach(api: httpx.Client, disk_id: str, vm_id: str, **params: str) -> httpx.Response:
    return api.post(f"{DISKS}/{disk_id}/attach", json={"vm_id": vm_id}, params=params)


def resize(api: httpx.Client, disk_id: str, size_gb: Any, **params: str) -> httpx.Response:
    return api.post(f"{DISKS}/{disk_id}/resize", json={"size_gb": size_gb}, params=params)


# -- the documented flow ------------------------------------------------------------------------------


def test_documented_flow_over_http(quota_server: Server) -> None:
    server = quota_server
    me = fresh(server)
    vm = new_vm(me.api, "ml-workstation", disk_gb=20)
    assert used_gb(me.api) == 20  # the VM's boot disk
    # Create a persistent disk (the spec's body), list it, get it.
    disk = new_disk(me.api, "data-volume", 500)
    assert (disk["name"], disk["size_gb"], disk["vm_id"], disk["account_id"]) == ("data-volume", 500, None,
                                                                                    me.account_id)
    assert used_gb(me.api) == 520
    listed = me.api.get(DISKS).json()
    assert listed == {"vm_disks": [disk], "nextToken": None}
    assert disk_of(me.api, disk["id"]) == disk
    # Attach it to the VM.
    r = attach(me.api, disk["id"], vm["id"])
    assert r.status_code == 200, r.text
    attached = r.json()
    assert (attached["status"], attached["vm_id"]) == ("attached", vm["id"]) and attached["attached_at"]
    assert me.api.get(DISKS, params={"vm_id": vm["id"]}).json()["vm_disks"] == [attached]
    assert me.api.get(DISKS, params={"vm_id": "vm-other"}).json()["vm_disks"] == []
    # Resize it (grow, while attached): the difference counts in the quota.
    r = resize(me.api, disk["id"], 1000)
    assert r.status_code == 200, r.text
    assert (r.json()["size_gb"], r.json()["status"]) == (1000, "attached"), r.text
    assert used_gb(me.api) == 1020
    # The same size again is a no-op.
    assert resize(me.api, disk["id"], 1000).status_code == 200
    # Detach, delete: the storage goes back.
    r = me.api.post(f"{DISKS}/{disk['id']}/detach")
    assert r.status_code == 200 and r.json()["status"] == "available" and r.json()["vm_id"] is None, r.text
    r = me.api.delete(f"{DISKS}/{disk['id']}")
    assert r.status_code == 200 and r.json()["status"] == "deleted" and r.json()["deleted_at"], r.text
    assert used_gb(me.api) == 20
    assert me.api.get(DISKS).json()["vm_disks"] == []
    assert disk_of(me.api, disk["id"])["status"] == "deleted"  # still readable, like a terminated instance
    # One event per change.
    for kind in ("created", "attached", "resized", "detached", "deleted"):
        assert disk_events(server, disk["id"], kind) == 1, kind
    # A deleted disk takes no action; its name is free again.
    assert_error(me.api.delete(f"{DISKS}/{disk['id']}"), 409, "ConflictException", code="InvalidStateTransition")
    new_disk(me.api, "data-volume", 10)


def test_quota_is_unified_with_instances_and_vm_boot_disks(make_server: Callable[..., Server]) -> None:
    server = make_server(ICGPU_TENANT_STORAGE_QUOTA_GB="300")
    me = fresh(server)
    new_instance(me.api, "inst", storage_gb=100)
    new_vm(me.api, "vm", disk_gb=50)
    disk = new_disk(me.api, "d", 100)
    assert used_gb(me.api) == 250
    # 60 GB more does not fit, whether as a new disk or as growth; nothing written.
    r = me.api.post(DISKS, json={"name": "over", "size_gb": 60})
    assert_error(r, 409, "ConflictException", code="StorageQuotaExceeded")
    assert_error(resize(me.api, disk["id"], 160), 409, "ConflictException", code="StorageQuotaExceeded")
    assert_error(resize(me.api, disk["id"], 160, dryRun="true"), 409, "ConflictException",
                 code="StorageQuotaExceeded")
    assert count_rows(server, VmDisk, account_id=me.account_id) == 1
    assert disk_of(me.api, disk["id"])["size_gb"] == 100
    assert disk_events(server, disk["id"], "resized") == 0
    assert used_gb(me.api) == 250
    # Exactly up to the quota fits; then an instance no longer does.
    assert resize(me.api, disk["id"], 150).status_code == 200
    assert used_gb(me.api) == 300
    r = me.api.post("/api/v1/instances", json={"name": "late", "tier": "mig", "ssh_key": SSH, "storage_gb": 10})
    assert_error(r, 409, "ConflictException", code="StorageQuotaExceeded")


# -- bad input: status, error type, nothing written ---------------------------------------------------


def test_bad_create_bodies(quota_server: Server) -> None:
    server = quota_server
    me = fresh(server)
    cases: list[tuple[Any, str]] = [
        ({"name": "x"}, "size_gb"),
        ({"name": "x", "size_gb": 0}, "size_gb"),
        ({"name": "x", "size_gb": -5}, "size_gb"),
        ({"name": "x", "size_gb": 65537}, "size_gb"),
        ({"name": "x", "size_gb": "10"}, "size_gb"),
        ({"name": "x", "size_gb": 1.5}, "size_gb"),
        ({"name": "x", "size_gb": True}, "size_gb"),
        ({"size_gb": 10}, "name"),
        ({"name": "Bad Name", "size_gb": 10}, "name"),
        ({"name": "x\u0000y", "size_gb": 10}, "name"),
        ({"name": "x", "size_gb": 10, "sizeGb": 10, "colour": "red"}, "sizeGb"),
        ({"name": "x", "size_gb": 10, "team_id": "team-nosuchteam1"}, "team_id"),
    ]
    for body, field in cases:
        assert_error(me.api.post(DISKS, json=body), 400, "ValidationException", field=field)
    assert_error(me.api.post(DISKS, content=b"{", headers={"content-type": "application/json"}), 400,
                 "ValidationException", field="body")
    assert_error(me.api.post(DISKS, content=b"name=x", headers={"content-type": "text/plain"}), 415,
                 "ValidationException")
    # The name is unique among the owner's live disks.
    new_disk(me.api, "taken", 10)
    assert_error(me.api.post(DISKS, json={"name": "taken", "size_gb": 10}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    assert count_rows(server, VmDisk, account_id=me.account_id) == 1
    assert count_rows(server, Event, account_id=me.account_id, type="vm_disk.created") == 1
    assert used_gb(me.api) == 10


def test_shrink_double_attach_and_delete_while_attached(quota_server: Server) -> None:
    server = quota_server
    me = fresh(server)
    vm1, vm2 = new_vm(me.api, "vm-one"), new_vm(me.api, "vm-two")
    disk = new_disk(me.api, "data", 100)
    before = used_gb(me.api)
    # Shrink: 400 naming size_gb, the size and the quota unchanged, no event.
    for params in ({}, {"dryRun": "true"}):
        assert_error(resize(me.api, disk["id"], 99, **params), 400, "ValidationException", field="size_gb",
                     code="ShrinkNotAllowed")
    for bad in (0, "200", None, 65537):
        assert_error(resize(me.api, disk["id"], bad), 400, "ValidationException", field="size_gb")
    assert disk_of(me.api, disk["id"])["size_gb"] == 100 and used_gb(me.api) == before
    assert disk_events(server, disk["id"], "resized") == 0
    # Attach to one VM, then to another (or the same): 409, still on the first.
    assert attach(me.api, disk["id"], vm1["id"]).status_code == 200
    for vm in (vm2, vm1):
        for params in ({}, {"dryRun": "true"}):
            assert_error(attach(me.api, disk["id"], vm["id"], **params), 409, "ConflictException",
                         code="DiskAlreadyAttached")
    assert disk_of(me.api, disk["id"])["vm_id"] == vm1["id"]
    assert disk_events(server, disk["id"], "attached") == 1
    # Delete while attached: 409, still attached, the storage still taken.
    for params in ({}, {"dryRun": "true"}):
        assert_error(me.api.delete(f"{DISKS}/{disk['id']}", params=params), 409, "ConflictException",
                     code="DiskAttached")
    assert disk_of(me.api, disk["id"])["status"] == "attached" and used_gb(me.api) == before
    assert disk_events(server, disk["id"], "deleted") == 0
    # Detach twice: the second is a 409.
    assert me.api.post(f"{DISKS}/{disk['id']}/detach").status_code == 200
    assert_error(me.api.post(f"{DISKS}/{disk['id']}/detach"), 409, "ConflictException", code="DiskNotAttached")
    assert disk_events(server, disk["id"], "detached") == 1
    # Attach bodies: a missing, malformed or unknown VM is a 400 naming vm_id.
    for body in ({}, {"vm_id": ""}, {"vm_id": "vm-doesnotexist"}, {"vm_id": "inst-abc"}, {"vm_id": 5}):
        assert_error(me.api.post(f"{DISKS}/{disk['id']}/attach", json=body), 400, "ValidationException",
                     field="vm_id")
    # A terminated VM takes no disk.
    assert me.api.delete(f"{VMS}/{vm2['id']}").status_code == 200
    assert_error(attach(me.api, disk["id"], vm2["id"]), 409, "ConflictException", code="InvalidStateTransition")
    assert disk_of(me.api, disk["id"])["status"] == "available"


def test_a_terminated_vms_disks_are_detached(quota_server: Server) -> None:
    me = fresh(quota_server)
    vm = new_vm(me.api, "short-lived")
    disk = new_disk(me.api, "kept", 50)
    assert attach(me.api, disk["id"], vm["id"]).status_code == 200
    assert me.api.delete(f"{VMS}/{vm['id']}").status_code == 200
    # Detached in the VM's own delete, as a read shows at once.
    left = disk_of(me.api, disk["id"])
    assert left["status"] == "available" and left["vm_id"] is None, left
    # The disk outlives its VM: it can be deleted (or attached elsewhere) at once.
    other = new_vm(me.api, "next")
    r = attach(me.api, disk["id"], other["id"])
    assert r.status_code == 200 and r.json()["vm_id"] == other["id"], r.text
    assert me.api.post(f"{DISKS}/{disk['id']}/detach").status_code == 200
    assert me.api.delete(f"{DISKS}/{disk['id']}").status_code == 200


def test_unknown_ids_are_404(quota_server: Server) -> None:
    me = fresh(quota_server)
    for disk_id in ("disk-doesnotexist", "inst-abc", "disk-BAD!", "x" * 50):
        assert_error(me.api.get(f"{DISKS}/{disk_id}"), 404, "ResourceNotFoundException")
        assert_error(me.api.delete(f"{DISKS}/{disk_id}"), 404, "ResourceNotFoundException")
        assert_error(resize(me.api, disk_id, 10), 404, "ResourceNotFoundException")


# -- contracts: dry run, Idempotency-Key, pagination ------------------------------------------------------


def test_dry_runs_write_nothing(quota_server: Server) -> None:
    server = quota_server
    me = fresh(server)
    vm = new_vm(me.api, "vm")
    before = used_gb(me.api)
    r = me.api.post(DISKS, json={"name": "preview", "size_gb": 40}, params={"dryRun": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["dryRun"] is True and r.json()["valid"] is True and r.json()["vm_disk"]["size_gb"] == 40
    assert count_rows(server, VmDisk, account_id=me.account_id) == 0 and used_gb(me.api) == before
    disk = new_disk(me.api, "real", 40)
    for path, body, check in (
        ("attach", {"vm_id": vm["id"]}, lambda d: d["status"] == "attached"),
        ("resize", {"size_gb": 80}, lambda d: d["size_gb"] == 80),
    ):
        r = me.api.post(f"{DISKS}/{disk['id']}/{path}", json=body, params={"dryRun": "true"})
        assert r.status_code == 200 and check(r.json()["vm_disk"]), r.text
    r = me.api.delete(f"{DISKS}/{disk['id']}", params={"dryRun": "true"})
    assert r.status_code == 200 and r.json()["vm_disk"]["status"] == "deleted", r.text
    assert disk_of(me.api, disk["id"]) == disk
    assert used_gb(me.api) == before + 40
    assert disk_events(server, disk["id"]) == 1  # vm_disk.created only


def test_idempotent_create_and_pagination(quota_server: Server) -> None:
    server = quota_server
    me = fresh(server)
    headers = {"Idempotency-Key": "disk-" + uuid.uuid4().hex}
    first = me.api.post(DISKS, json={"name": "once", "size_gb": 10}, headers=headers)
    again = me.api.post(DISKS, json={"name": "once", "size_gb": 10}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert_error(me.api.post(DISKS, json={"name": "once", "size_gb": 11}, headers=headers), 409,
                 "ConflictException", code="IdempotencyKeyReused")
    assert count_rows(server, VmDisk, account_id=me.account_id) == 1
    made = [first.json()["id"]] + [new_disk(me.api, f"p{i}", 1)["id"] for i in range(4)]
    seen: list[str] = []
    token = None
    for _ in range(5):  # bounded: 5 disks, 2 a page
        params: dict[str, Any] = {"maxResults": 2}
        if token:
            params["nextToken"] = token
        page = me.api.get(DISKS, params=params).json()
        seen += [d["id"] for d in page["vm_disks"]]
        token = page["nextToken"]
        if token is None:
            break
    assert seen == made
    assert_error(me.api.get(DISKS, params={"nextToken": "forged"}), 400, "ValidationException",
                 code="InvalidPaginationToken")
    assert_error(me.api.get(DISKS, params={"maxResults": 0}), 400, "ValidationException", field="maxResults")
    assert_error(me.api.get(DISKS, params={"colour": "red"}), 400, "ValidationException", code="UnknownParameter")


# -- isolation and sharing -------------------------------------------------------------------------------


def test_tenant_isolation_and_team_sharing(quota_server: Server) -> None:
    server = quota_server
    me = fresh(server, "share")
    stranger = fresh(server, "stranger")
    theirs_vm = new_vm(stranger.api, "their-vm")
    team = me.api.post("/api/v1/teams", json={"name": "storage"}).json()
    viewer = member(server, me.tenant, "viewer@example.com")
    admin = member(server, me.tenant, "admin@example.com")
    outsider = member(server, me.tenant, "outsider@example.com")
    for client, role in ((viewer, "viewer"), (admin, "admin")):
        acc = client.get("/api/v1/me").json()["id"]
        r = me.api.post(f"/api/v1/teams/{team['id']}/members", json={"account_id": acc, "role": role})
        assert r.status_code == 201, r.text
    shared = new_disk(me.api, "shared", 10, team_id=team["id"])
    private = new_disk(me.api, "private", 10)
    # Another tenant: 404 everywhere, and their VM is unknown to my disk.
    for d in (shared, private):
        assert_error(stranger.api.get(f"{DISKS}/{d['id']}"), 404, "ResourceNotFoundException")
        assert_error(resize(stranger.api, d["id"], 20), 404, "ResourceNotFoundException")
        assert_error(stranger.api.delete(f"{DISKS}/{d['id']}"), 404, "ResourceNotFoundException")
    assert stranger.api.get(DISKS).json()["vm_disks"] == []
    assert_error(attach(me.api, private["id"], theirs_vm["id"]), 400, "ValidationException", field="vm_id")
    # In the tenant: the team sees the shared disk; a viewer may not change it, an admin may.
    assert [d["id"] for d in viewer.get(DISKS).json()["vm_disks"]] == [shared["id"]]
    assert_error(viewer.get(f"{DISKS}/{private['id']}"), 404, "ResourceNotFoundException")
    assert_error(resize(viewer, shared["id"], 20), 403, "AccessDeniedException", code="TeamRoleTooLow")
    assert_error(outsider.get(f"{DISKS}/{shared['id']}"), 404, "ResourceNotFoundException")
    assert resize(admin, shared["id"], 20).status_code == 200
    # Sharing with a team needs the member role in it.
    assert_error(outsider.post(DISKS, json={"name": "x", "size_gb": 1, "team_id": team["id"]}), 403,
                 "AccessDeniedException")
    for c in (viewer, admin, outsider):
        c.close()


# -- GraphQL: the same flow ------------------------------------------------------------------------------


def gql(api: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    r = api.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return dict(r.json())


FIELDS = "id name sizeGb status vmId teamId attachedAt deletedAt"


def test_documented_flow_over_graphql(quota_server: Server) -> None:
    me = fresh(quota_server, "gql")
    vm = new_vm(me.api, "gql-vm")
    made = gql(me.api, f"mutation($i: CreateVmDiskInput!) {{ createVmDisk(input: $i) {{ dryRun valid "
                       f"vmDisk {{ {FIELDS} }} }} }}", i={"name": "data-volume", "sizeGb": 500})
    disk = made["data"]["createVmDisk"]["vmDisk"]
    assert made["data"]["createVmDisk"]["dryRun"] is False and disk["status"] == "AVAILABLE", made
    assert (disk["name"], disk["sizeGb"], disk["vmId"]) == ("data-volume", 500, None)
    listed = gql(me.api, f"{{ vmDisks {{ items {{ {FIELDS} }} nextToken }} }}")["data"]["vmDisks"]
    assert listed == {"items": [disk], "nextToken": None}
    one = gql(me.api, f"query($id: ID!) {{ vmDisk(id: $id) {{ {FIELDS} }} }}", id=disk["id"])["data"]["vmDisk"]
    assert one == disk
    att = gql(me.api, "mutation($id: ID!, $vm: String!) { attachVmDisk(id: $id, vmId: $vm) { vmDisk { vmId } } }",
              id=disk["id"], vm=vm["id"])
    assert att["data"]["attachVmDisk"]["vmDisk"]["vmId"] == vm["id"], att
    grown = gql(me.api, "mutation($id: ID!) { resizeVmDisk(id: $id, sizeGb: 1000) { vmDisk { sizeGb } } }",
                id=disk["id"])
    assert grown["data"]["resizeVmDisk"]["vmDisk"]["sizeGb"] == 1000, grown
    # Bad input answers the REST error types in extensions (a rule of the service names its field as
    # the service does, like the instance service's).
    shrink = gql(me.api, "mutation($id: ID!) { resizeVmDisk(id: $id, sizeGb: 5) { vmDisk { sizeGb } } }",
                 id=disk["id"])
    ext = shrink["errors"][0]["extensions"]
    assert (ext["code"], ext["status"], ext["field"], ext["reason"]) == ("ValidationException", 400, "size_gb",
                                                                         "ShrinkNotAllowed"), shrink
    busy = gql(me.api, "mutation($id: ID!) { deleteVmDisk(id: $id) { vmDisk { status } } }", id=disk["id"])
    assert busy["errors"][0]["extensions"]["reason"] == "DiskAttached", busy
    dry = gql(me.api, "mutation($id: ID!) { detachVmDisk(id: $id, dryRun: true) { dryRun vmDisk { vmId } } }",
              id=disk["id"])
    assert dry["data"]["detachVmDisk"] == {"dryRun": True, "vmDisk": {"vmId": None}}, dry
    assert disk_of(me.api, disk["id"])["vm_id"] == vm["id"]
    gql(me.api, "mutation($id: ID!) { detachVmDisk(id: $id) { vmDisk { vmId } } }", id=disk["id"])
    gone = gql(me.api, "mutation($id: ID!) { deleteVmDisk(id: $id) { vmDisk { status } } }", id=disk["id"])
    assert gone["data"]["deleteVmDisk"]["vmDisk"]["status"] == "DELETED", gone
    over = gql(me.api, "mutation { createVmDisk(input: {name: \"huge\", sizeGb: 60000}) { vmDisk { id } } }")
    assert over["errors"][0]["extensions"]["reason"] == "StorageQuotaExceeded", over
