"""VM templates and VMs over REST: the documented curl flow, the state machine, auto-stop, the
storage quota, and every bad input (status, error type, nothing written)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from icgpu.db.tables import Event
from icgpu.db.tables_vms import Vm
from tests.support.contracts import Caller, assert_error, caller, count_rows, new_instance, wait_status
from tests.support.server import Server
from tests.support.vms import VMS, create_vm, get_vm, new_vm, storage_used, vm_act, vm_body, wait_vm


@pytest.fixture
def me(server: Server) -> Caller:
    return caller(server, "vms-" + uuid.uuid4().hex[:8])


def event_types(server: Server, vm_id: str) -> int:
    return count_rows(server, Event, resource_id=vm_id)


def test_templates_are_public_with_defaults_and_maxima(server: Server) -> None:
    anonymous = server.client()
    r = anonymous.get("/api/v1/vm-templates")
    assert r.status_code == 200, r.text
    templates = {t["id"]: t for t in r.json()["vm_templates"]}
    assert {"tpl-ubuntu-gpu", "tpl-ubuntu-mig", "tpl-ubuntu-cpu"} <= set(templates)
    assert templates["tpl-ubuntu-gpu"]["gpu_tier"] == "dedicated" and templates["tpl-ubuntu-gpu"]["gpu"] is True
    assert templates["tpl-ubuntu-cpu"]["gpu_tier"] is None and templates["tpl-ubuntu-cpu"]["gpu"] is False
    for t in templates.values():
        assert t["default_cpu"] <= t["max_cpu"] and t["default_memory_gb"] <= t["max_memory_gb"]
        assert t["min_disk_gb"] <= t["default_disk_gb"] <= t["max_disk_gb"]
    one = anonymous.get("/api/v1/vm-templates/tpl-ubuntu-gpu")
    assert one.status_code == 200 and one.json() == templates["tpl-ubuntu-gpu"]
    assert_error(anonymous.get("/api/v1/vm-templates/tpl-nope"), 404, "ResourceNotFoundException")


def test_documented_flow(server: Server, me: Caller) -> None:
    """Create (the documented body), list, stop, start, reboot, delete; events and storage."""
    used = storage_used(server, me.api)
    body = {"name": "ml-workstation", "templateId": "tpl-ubuntu-gpu", "cpu": 8, "memoryGb": 32, "diskGb": 100,
            "sshKey": vm_body("x")["sshKey"]}
    r = me.api.post(VMS, json=body)
    assert r.status_code == 201, r.text
    vm = r.json()
    assert vm["id"].startswith("vm-") and vm["template_id"] == "tpl-ubuntu-gpu" and vm["gpu_tier"] == "dedicated"
    assert (vm["cpu"], vm["memory_gb"], vm["disk_gb"]) == (8, 32, 100)
    assert vm["status"] == "pending" and vm["auto_stop_after_minutes"] is None and vm["auto_stop_at"] is None
    assert storage_used(server, me.api) == used + 100
    listed = me.api.get(VMS)
    assert listed.status_code == 200 and [v["id"] for v in listed.json()["vms"]] == [vm["id"]]
    assert listed.json()["nextToken"] is None
    running = wait_vm(me.api, vm["id"], "running")
    assert running["ssh_host"] and running["ssh_port"]
    r = vm_act(me.api, vm["id"], "reboot")
    assert r.status_code == 200 and r.json()["status"] == "rebooting", r.text
    wait_vm(me.api, vm["id"], "running")
    r = vm_act(me.api, vm["id"], "stop")
    assert r.status_code == 200 and r.json()["status"] == "stopping", r.text
    stopped = wait_vm(me.api, vm["id"], "stopped")
    assert stopped["ssh_host"] is None
    r = vm_act(me.api, vm["id"], "start")
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    wait_vm(me.api, vm["id"], "running")
    r = vm_act(me.api, vm["id"], "delete")
    assert r.status_code == 200 and r.json()["status"] == "terminated" and r.json()["terminated_at"], r.text
    assert storage_used(server, me.api) == used
    assert me.api.get(VMS).json()["vms"] == []
    assert [v["id"] for v in me.api.get(VMS, params={"status": "terminated"}).json()["vms"]] == [vm["id"]]
    for kind in ("vm.created", "vm.started", "vm.stopped", "vm.terminated", "vm.rebooting"):
        assert count_rows(server, Event, resource_id=vm["id"], type=kind) >= 1, kind


def test_cpu_only_vm_runs_without_a_gpu_slot(server: Server, me: Caller) -> None:
    vm = new_vm(me.api, "builder", "tpl-ubuntu-cpu")
    assert vm["gpu_tier"] is None and (vm["cpu"], vm["memory_gb"], vm["disk_gb"]) == (2, 4, 20)
    running = wait_vm(me.api, vm["id"], "running")
    assert running["ssh_host"] and running["ssh_port"] == 22
    assert vm_act(me.api, vm["id"], "stop").status_code == 200
    wait_vm(me.api, vm["id"], "stopped")
    assert vm_act(me.api, vm["id"], "delete").status_code == 200


def test_gpu_tier_override_and_snake_case_names(server: Server, me: Caller) -> None:
    r = me.api.post(VMS, json={"name": "snake", "template_id": "tpl-ubuntu-gpu", "memory_gb": 16,
                               "disk_gb": 40, "ssh_key": vm_body("x")["sshKey"], "gpu_tier": "timesliced"})
    assert r.status_code == 201, r.text
    vm = r.json()
    assert vm["gpu_tier"] == "timesliced" and vm["memory_gb"] == 16 and vm["disk_gb"] == 40
    assert vm_act(me.api, vm["id"], "delete").status_code == 200


def test_dry_run_create_and_actions_write_nothing(server: Server, me: Caller) -> None:
    used = storage_used(server, me.api)
    r = create_vm(me.api, "dry", dry_run=True)
    assert r.status_code == 200, r.text
    assert r.json()["dryRun"] is True and r.json()["valid"] is True and r.json()["vm"]["name"] == "dry"
    assert count_rows(server, Vm, name="dry") == 0 and storage_used(server, me.api) == used
    vm = new_vm(me.api, "dry2")
    wait_vm(me.api, vm["id"], "running")  # settled: the reconciler writes no more events of its own
    events = event_types(server, vm["id"])
    r = vm_act(me.api, vm["id"], "delete", dry_run=True)
    assert r.status_code == 200 and r.json()["vm"]["status"] == "terminated"
    assert get_vm(me.api, vm["id"])["status"] != "terminated" and event_types(server, vm["id"]) == events
    assert vm_act(me.api, vm["id"], "delete").status_code == 200


BAD: list[tuple[dict[str, Any], str]] = [
    ({"templateId": "tpl-nope"}, "templateId"),
    ({"cpu": 33}, "cpu"),
    ({"cpu": 0}, "cpu"),
    ({"memoryGb": 257}, "memoryGb"),
    ({"diskGb": 2001}, "diskGb"),
    ({"diskGb": 5}, "diskGb"),
    ({"cpu": "8"}, "cpu"),
    ({"gpuTier": "h100"}, "gpuTier"),
    ({"sshKey": "not a key"}, "sshKey"),
    ({"sshKey": None}, "sshKey"),
    ({"name": "Bad_Name"}, "name"),
    ({"autoStopAfterMinutes": 0}, "autoStopAfterMinutes"),
    ({"teamId": "team-nope"}, "teamId"),
    ({"sshKeyGroup": "grp-nope"}, "sshKeyGroup"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("fields", "field"), BAD, ids=[f for _, f in BAD])
def test_bad_create_inputs_are_400_and_write_nothing(server: Server, me: Caller, fields: dict[str, Any],
                                                     field: str) -> None:
    used = storage_used(server, me.api)
    r = me.api.post(VMS, json={**vm_body("bad-input"), **fields})
    assert_error(r, 400, "ValidationException", field=field)
    assert count_rows(server, Vm, name="bad-input") == 0 and count_rows(server, Vm, name="Bad_Name") == 0
    assert storage_used(server, me.api) == used


def test_gpu_tier_on_a_cpu_template_and_quota_are_refused(server: Server, me: Caller) -> None:
    assert_error(create_vm(me.api, "cpu-gpu", "tpl-ubuntu-cpu", gpuTier="mig"), 400, "ValidationException",
                 field="gpuTier")
    # The storage quota (2000 GB by default) is shared with instances and disks.
    big = [new_vm(me.api, f"big-{i}", diskGb=2000 - storage_used(server, me.api) if i else 1000) for i in range(2)]
    r = create_vm(me.api, "one-too-many", diskGb=100)
    assert_error(r, 409, "ConflictException", code="StorageQuotaExceeded")
    assert count_rows(server, Vm, name="one-too-many") == 0
    for vm in big:
        assert vm_act(me.api, vm["id"], "delete").status_code == 200


def test_duplicate_live_name_is_409(server: Server, me: Caller) -> None:
    vm = new_vm(me.api, "twin", "tpl-ubuntu-cpu")
    assert_error(create_vm(me.api, "twin", "tpl-ubuntu-cpu"), 409, "ConflictException", code="ResourceAlreadyExists")
    assert vm_act(me.api, vm["id"], "delete").status_code == 200
    again = new_vm(me.api, "twin", "tpl-ubuntu-cpu")
    assert vm_act(me.api, again["id"], "delete").status_code == 200


def assert_refused(server: Server, me: Caller, vm_id: str, verb: str) -> None:
    before, events = get_vm(me.api, vm_id), event_types(server, vm_id)
    err = assert_error(vm_act(me.api, vm_id, verb), 409, "ConflictException", code="InvalidStateTransition")
    assert before["status"] in err["message"]
    after = get_vm(me.api, vm_id)
    assert (after["status"], after["updated_at"]) == (before["status"], before["updated_at"])
    assert event_types(server, vm_id) == events


def test_invalid_transitions_are_409_and_change_nothing(server: Server, me: Caller) -> None:
    vm = new_vm(me.api, "machine", "tpl-ubuntu-cpu")
    wait_vm(me.api, vm["id"], "running")
    assert_refused(server, me, vm["id"], "start")
    assert vm_act(me.api, vm["id"], "stop").status_code == 200
    wait_vm(me.api, vm["id"], "stopped")
    assert_refused(server, me, vm["id"], "stop")
    assert_refused(server, me, vm["id"], "reboot")
    assert vm_act(me.api, vm["id"], "delete").status_code == 200
    for verb in ("start", "stop", "reboot", "delete"):
        assert_refused(server, me, vm["id"], verb)
    r = me.api.patch(f"{VMS}/{vm['id']}", json={"name": "renamed"})
    assert_error(r, 409, "ConflictException", code="InvalidStateTransition")


def test_update_renames_and_sets_auto_stop(server: Server, me: Caller) -> None:
    vm = new_vm(me.api, "renamable", "tpl-ubuntu-cpu")
    r = me.api.patch(f"{VMS}/{vm['id']}", json={"name": "renamed", "autoStopAfterMinutes": 30})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "renamed" and r.json()["auto_stop_after_minutes"] == 30
    running = wait_vm(me.api, vm["id"], "running")
    assert running["auto_stop_at"] is not None
    r = me.api.patch(f"{VMS}/{vm['id']}", json={"autoStopAfterMinutes": None})
    assert r.status_code == 200 and r.json()["auto_stop_at"] is None and r.json()["auto_stop_after_minutes"] is None
    assert_error(me.api.patch(f"{VMS}/{vm['id']}", json={"cpu": 4}), 400, "ValidationException", field="cpu")
    assert vm_act(me.api, vm["id"], "delete").status_code == 200


def test_unknown_and_foreign_vms_are_404(server: Server, me: Caller) -> None:
    other = caller(server, "vms-other-" + uuid.uuid4().hex[:8])
    vm = new_vm(other.api, "theirs", "tpl-ubuntu-cpu")
    for vm_id in (vm["id"], "vm-doesnotexist", "inst-abc", "vm-BAD!"):
        assert_error(me.api.get(f"{VMS}/{vm_id}"), 404, "ResourceNotFoundException")
        for verb in ("stop", "start", "reboot", "delete"):
            assert_error(vm_act(me.api, vm_id, verb), 404, "ResourceNotFoundException")
    assert get_vm(other.api, vm["id"])["status"] != "terminated"
    assert vm_act(other.api, vm["id"], "delete").status_code == 200


def test_pagination(server: Server, me: Caller) -> None:
    made = [new_vm(me.api, f"page-{i}", "tpl-ubuntu-cpu")["id"] for i in range(3)]
    seen: list[str] = []
    token = None
    for _ in range(5):
        params: dict[str, Any] = {"maxResults": 2}
        if token:
            params["nextToken"] = token
        r = me.api.get(VMS, params=params)
        assert r.status_code == 200, r.text
        seen += [v["id"] for v in r.json()["vms"]]
        token = r.json()["nextToken"]
        if token is None:
            break
    assert seen == made
    assert_error(me.api.get(VMS, params={"nextToken": "garbage"}), 400, "ValidationException",
                 code="InvalidPaginationToken")
    for vm_id in made:
        assert vm_act(me.api, vm_id, "delete").status_code == 200


def test_auto_stop(make_server: Any) -> None:
    srv = make_server(ICGPU_AUTO_STOP_MINUTE_SECONDS="0.5")
    me = caller(srv, "vms-ttl")
    vm = new_vm(me.api, "ttl", "tpl-ubuntu-cpu", autoStopAfterMinutes=1)
    assert vm["auto_stop_after_minutes"] == 1
    stopped = wait_vm(me.api, vm["id"], "stopped", timeout=20)
    assert stopped["status_reason"].startswith("auto-stopped") and stopped["auto_stop_at"] is None
    assert count_rows(srv, Event, resource_id=vm["id"], type="vm.auto_stopped") == 1
    assert count_rows(srv, Event, resource_id=vm["id"], type="vm.stopped") == 1


def test_an_interactive_gpu_vm_preempts_a_batch_instance(make_server: Any) -> None:
    """VMs and instances take GPUs from the one simulated inventory: on a node with one dedicated
    GPU, a GPU VM (interactive priority) evicts the batch instance that holds it."""
    srv = make_server(ICGPU_LOCAL_INVENTORY="dedicated=1")
    me = caller(srv, "vms-preempt")
    batch = new_instance(me.api, "batch-job", "dedicated", workload_type="batch")
    wait_status(me.api, batch["id"], "running")
    vm = new_vm(me.api, "workstation", "tpl-ubuntu-gpu")
    preempted = wait_status(me.api, batch["id"], "preempted")
    assert preempted["status_reason"], preempted
    running = wait_vm(me.api, vm["id"], "running", timeout=20)
    assert running["gpu_tier"] == "dedicated" and running["ssh_host"]
    # Requeued, the batch instance waits for the GPU until the VM lets it go.
    assert me.api.post(f"/api/v1/instances/{batch['id']}/requeue").status_code == 200
    assert wait_status(me.api, batch["id"], "pending")["status"] == "pending"
    assert vm_act(me.api, vm["id"], "stop").status_code == 200
    wait_status(me.api, batch["id"], "running", timeout=20)
