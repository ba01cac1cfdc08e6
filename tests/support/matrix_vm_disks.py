"""Authorization-matrix rows for VM disks (create private or team-shared; attach, detach, resize and
delete a team-shared or a private one), walked by tests/server/test_authz_matrix.py over REST and
GraphQL. Attaching takes the acting person's own VM, so the row measures the disk's rules alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables_disks import VmDisk
from tests.support.identity import Person
from tests.support.matrix import Actor, World, public_key
from tests.support.matrix_cases import ANYONE, MANAGE_SHARED, PRIVATE, SHARE, Case, Target, by_id, event_count

DISKS = "/api/v1/vm-disks"
VMS = "/api/v1/vms"
SELECTION = "vmDisk { id status sizeGb vmId }"
CREATE = f"mutation Create($input: CreateVmDiskInput!) {{ createVmDisk(input: $input) {{ {SELECTION} }} }}"
ATTACH = f"mutation Act($id: ID!, $vm: String!) {{ attachVmDisk(id: $id, vmId: $vm) {{ {SELECTION} }} }}"
RESIZE = f"mutation Act($id: ID!) {{ resizeVmDisk(id: $id, sizeGb: 20) {{ {SELECTION} }} }}"

State = tuple[str, int, str | None, int]  # status, size_gb, vm_id, events


def new_vm(w: World, by: Person) -> str:
    r = by.api.post(VMS, json={"name": w.name("vm"), "templateId": "tpl-ubuntu-cpu", "diskGb": 10,
                               "sshKey": public_key(by.email)})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def new_spec(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        return {"name": w.name("disk"), "team_id": w.team_id if shared else None}

    return build


def existing(shared: bool, *, attached: bool = False, vm_for_actor: bool = False) -> Callable[[World, Actor], Target]:
    """A 10 GB disk made by the creator (a plain member of the team); ``attached``: on the
    creator's VM; ``vm_for_actor``: with a VM of the acting person's own to attach it to."""

    def build(w: World, a: Actor) -> Target:
        creator = w.people["creator"]
        body: dict[str, Any] = {"name": w.name("disk"), "size_gb": 10}
        if shared:
            body["team_id"] = w.team_id
        r = creator.api.post(DISKS, json=body)
        assert r.status_code == 201, r.text
        target: Target = {"disk_id": str(r.json()["id"])}
        if attached:
            r = creator.api.post(f"{DISKS}/{target['disk_id']}/attach", json={"vm_id": new_vm(w, creator)})
            assert r.status_code == 200, r.text
        if vm_for_actor:
            target["vm_id"] = new_vm(w, a.person)
        return target

    return build


def created(w: World, t: Target) -> tuple[str | None, ...]:
    """The team of each disk named ``t["name"]`` (names are unique in the matrix)."""
    return tuple(w.db.scalars(select(VmDisk.team_id).where(VmDisk.name == t["name"])))


def state(w: World, t: Target) -> State:
    async def look(s: AsyncSession) -> State:
        disk = (await s.execute(select(VmDisk.status, VmDisk.size_gb, VmDisk.vm_id)
                                .where(VmDisk.id == t["disk_id"]))).one()
        return str(disk.status), int(disk.size_gb), disk.vm_id, int(await event_count(s, t["disk_id"]))

    return w.db.run(look)


def create_body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "size_gb": 10, "team_id": t["team_id"]}


def create_vars(t: Target) -> dict[str, Any]:
    return {"input": {"name": t["name"], "sizeGb": 10, "teamId": t["team_id"]}}


def rows() -> Iterator[Case]:
    for variant, expect, shared in (("private", ANYONE, False), ("shared-with-team", SHARE, True)):
        yield Case(f"POST {DISKS}", "createVmDisk", variant, expect, new_spec(shared), created,
                   lambda before, t: (t["team_id"],), CREATE, create_vars, create_body)
    for variant, expect, shared in (("team-shared", MANAGE_SHARED, True), ("private", PRIVATE, False)):
        yield Case(f"POST {DISKS}/{{disk_id}}/attach", "attachVmDisk", variant, expect,
                   existing(shared, vm_for_actor=True), state,
                   lambda before, t: ("attached", before[1], t["vm_id"], before[3] + 1),
                   ATTACH, lambda t: {"id": t["disk_id"], "vm": t["vm_id"]}, lambda t: {"vm_id": t["vm_id"]})
        yield Case(f"POST {DISKS}/{{disk_id}}/detach", "detachVmDisk", variant, expect,
                   existing(shared, attached=True), state,
                   lambda before, t: ("available", before[1], None, before[3] + 1),
                   by_id("detachVmDisk", SELECTION), lambda t: {"id": t["disk_id"]})
        yield Case(f"POST {DISKS}/{{disk_id}}/resize", "resizeVmDisk", variant, expect, existing(shared), state,
                   lambda before, t: (before[0], 20, before[2], before[3] + 1),
                   RESIZE, lambda t: {"id": t["disk_id"]}, lambda t: {"size_gb": 20})
        yield Case(f"DELETE {DISKS}/{{disk_id}}", "deleteVmDisk", variant, expect, existing(shared), state,
                   lambda before, t: ("deleted", before[1], None, before[3] + 1),
                   by_id("deleteVmDisk", SELECTION), lambda t: {"id": t["disk_id"]})
