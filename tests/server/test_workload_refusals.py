"""A workload the provisioner refuses (``WorkloadRefused``: it cannot run it at all) puts its resource
in the resource's failure state, with the provisioner's reason in the API and the failure's event,
once: an instance and a VM become ``error`` (``instance.error``, ``vm.error``), a function run
``failed`` (``function.failed``, the reason also its ``error``), and none is asked for again on every
pass. The refusal is real: the local simulator refuses a tier its node has no slot of (this server's
node has whole GPUs only), since no slot of it will ever free.

After each refusal the test waits for another workload of the same worker to run (later passes of
that worker happened) and checks the refused resource is unchanged: one failure event, no workload.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from icgpu.db.tables import Event, SimPod
from tests.server.test_functions import FUNCTIONS, new_function, start_run, wait_run
from tests.support.contracts import caller, new_instance, wait_status
from tests.support.graphql import db_scalars, event_types
from tests.support.server import Server, wait_for
from tests.support.vms import new_vm, vm_act, wait_vm

INVENTORY = "dedicated=1"  # no MIG slice, no time-sliced share
REFUSAL = f"cannot run here: the simulated GPU node has no mig slot at all (ICGPU_LOCAL_INVENTORY={INVENTORY})"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp=Path(tmp_path_factory.mktemp("refusals")), extra_env={"ICGPU_LOCAL_INVENTORY": INVENTORY}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def api(node: Server) -> Iterator[httpx.Client]:
    with caller(node, "refused-" + uuid.uuid4().hex[:8]).api as client:
        yield client


def failure_reasons(server: Server, resource_id: str, event_type: str) -> list[str | None]:
    """The status_reason each ``event_type`` event of the resource carries (webhooks deliver it)."""
    stmt = select(Event.data).where(Event.resource_id == resource_id, Event.type == event_type).order_by(Event.seq)
    return [data.get("status_reason") for data in db_scalars(server, stmt)]


def workloads(server: Server, resource_id: str) -> list[str]:
    return list(db_scalars(server, select(SimPod.instance_id).where(SimPod.instance_id == resource_id)))


def test_an_instance_the_provisioner_refuses_is_an_error_with_the_reason(node: Server, api: httpx.Client) -> None:
    refused = new_instance(api, "wants-mig", "mig")
    failed = wait_status(api, refused["id"], "error")
    assert failed["status_reason"] == REFUSAL, failed
    # Later passes of the reconciler: another instance runs; the refused one was not asked for again.
    other = new_instance(api, "has-gpu", "dedicated")
    wait_status(api, other["id"], "running")
    assert event_types(node, refused["id"]) == ["instance.created", "instance.error"]
    assert failure_reasons(node, refused["id"], "instance.error") == [REFUSAL]
    assert workloads(node, refused["id"]) == []
    assert api.delete(f"/api/v1/instances/{other['id']}").status_code == 200
    wait_for_free(node, other["id"])


def test_a_vm_the_provisioner_refuses_is_an_error_until_started_again(node: Server, api: httpx.Client) -> None:
    refused = new_vm(api, "wants-mig", "tpl-ubuntu-mig")
    failed = wait_vm(api, refused["id"], "error")
    assert failed["status_reason"] == REFUSAL, failed
    other = new_vm(api, "has-gpu")  # a dedicated GPU
    wait_vm(api, other["id"], "running")
    assert event_types(node, refused["id"]) == ["vm.created", "vm.error"]
    assert workloads(node, refused["id"]) == []
    # Started again, it is asked for once more and refused once more.
    assert vm_act(api, refused["id"], "start").status_code == 200
    wait_for_events(node, refused["id"], ["vm.created", "vm.error", "vm.pending", "vm.error"])
    assert wait_vm(api, refused["id"], "error")["status_reason"] == REFUSAL
    assert failure_reasons(node, refused["id"], "vm.error") == [REFUSAL, REFUSAL]
    assert vm_act(api, other["id"], "delete").status_code == 200
    wait_for_free(node, other["id"])


def test_a_run_the_provisioner_refuses_fails_and_its_entrypoint_never_runs(node: Server, api: httpx.Client) -> None:
    fn = new_function(api, entrypoint="echo ran", gpuTier="mig")
    run = start_run(api, fn["id"])
    done = wait_run(api, fn["id"], run["id"])
    assert done["status"] == "failed", done
    assert done["status_reason"] == REFUSAL and done["error"] == REFUSAL, done
    assert (done["started_at"], done["exit_code"], done["output"]) == (None, None, None), done
    other = new_function(api, entrypoint="echo ran", gpuTier="dedicated")
    ran = wait_run(api, other["id"], start_run(api, other["id"])["id"])
    assert ran["status"] == "succeeded", ran
    assert event_types(node, run["id"]) == ["function.run_queued", "function.failed"]
    assert failure_reasons(node, run["id"], "function.failed") == [REFUSAL]
    assert workloads(node, run["id"]) == []
    assert api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}").json()["status"] == "failed"


def wait_for_events(server: Server, resource_id: str, expected: list[str]) -> None:
    wait_for(lambda: event_types(server, resource_id) == expected, what=f"the events {expected} of {resource_id}")


def wait_for_free(server: Server, workload_id: str) -> Any:
    """The GPU the test's other workload held is free again (the module's tests share the one GPU)."""
    return wait_for(lambda: workloads(server, workload_id) == [], what=f"{workload_id}'s workload to go")
