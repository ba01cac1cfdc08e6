"""A stopped VM keeps its disks on Kubernetes: a platform stop halts the KubeVirt VirtualMachine
(``runStrategy: Halted``, base.VmHalting) instead of deleting the workload, so the compute goes (the VMI's
launcher pod, and with it the GPU) and the VirtualMachine, its root DataVolume and its ``<name>-disk``
claim stay; a start runs the same VirtualMachine again from the same root disk; a delete removes it all.

End to end with a real ``icgpu serve`` (REST only) and CDI's DataVolume CRD installed for this module, the
test playing virt-controller: it makes the DataVolume from the VM's template (owned by the VM), runs a
launcher pod (the template's labels, the VM's GPU, owned by the VM; kube-scheduler places it, kwok runs it)
and writes ``printableStatus``; when the VM is halted it deletes the launcher pod and writes ``Stopped``.
The VM is ``stopped`` only once no launcher pod remains.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.base import Phase, VmHalting
from icgpu.provisioning.kubernetes.clusters import SERVICE_ACCOUNT
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.naming import WORKLOAD_LABEL, object_name
from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP, NAMESPACE, POD
from icgpu.provisioning.kubernetes.vm import DATA_VOLUME, DATA_VOLUME_CRD, VIRTUAL_MACHINE
from icgpu.provisioning.local.simulator import LocalProvisioner
from tests.k8s.conftest import KubernetesServers
from tests.k8s.control_plane import IMAGE, wait_for
from tests.k8s.test_dry_run import Api, api
from tests.k8s.test_vcluster import installed_crds
from tests.k8s.test_vm_cpu import CPU_SPEC, play_halt
from tests.k8s.test_vm_root_disk import data_volume, gone
from tests.k8s.test_vm_storage_network import until_gone, until_stored
from tests.k8s.workloads import PVC, blocking
from tests.support.graphql import tiers
from tests.support.server import Server
from tests.support.vms import new_vm, vm_act, wait_vm

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

__all__ = ["api"]  # the fixture of test_dry_run.py, used here too

WITHIN = 30.0  # seconds for any one state to be reached
# The REST lifecycle test runs last: its deleted VM's DataVolume goes only once kube-controller-manager's
# garbage collector has discovered the CRD this module installed (test_vm_root_disk.GC_DISCOVERY).
LAUNCHER_LABEL = {"kubevirt.io": "virt-launcher"}
HALT_SPEC = replace(CPU_SPEC, instance_id="vm-h9halt0000001", tenant_id="tn-h9halt000001")


@pytest.fixture(scope="module", autouse=True)
async def data_volume_crd(kube: client.ApiClient) -> AsyncIterator[None]:
    """CDI's DataVolume CRD for this module's tests only (VMs' root disks are DataVolumes)."""
    async with installed_crds(kube, DATA_VOLUME_CRD):
        yield


def launcher(machine: Manifest) -> str:
    return f"virt-launcher-{machine['metadata']['name']}"


def uid(obj: Manifest | None) -> str:
    assert obj is not None
    return str(obj["metadata"]["uid"])


def strategy(wanted: str) -> object:
    return lambda vm: vm["spec"].get("runStrategy") == wanted


async def run_vm(api: Api, ns: str, machine: Manifest) -> None:
    """Playing virt-controller for a VM to run: its launcher pod (the template's labels, its GPU device's
    resource, owned by the VM: KubeVirt's is owned by the VMI), Running on a node, then the VM Running."""
    meta, template = machine["metadata"], machine["spec"]["template"]
    amount = {gpu["deviceName"]: "1" for gpu in template["spec"]["domain"]["devices"].get("gpus") or []}
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": launcher(machine), "namespace": ns,
                        "labels": {**template["metadata"]["labels"], **LAUNCHER_LABEL},
                        "ownerReferences": [{"apiVersion": VIRTUAL_MACHINE.api_version, "kind": VIRTUAL_MACHINE.kind,
                                             "name": meta["name"], "uid": meta["uid"]}]},
           "spec": {"containers": [{"name": "compute", "image": IMAGE,
                                    "resources": {"requests": amount, "limits": dict(amount)}}],
                    "restartPolicy": "Never", "terminationGracePeriodSeconds": 0,
                    "priorityClassName": template["spec"]["priorityClassName"]}}
    await until_stored(api, SERVICE_ACCOUNT, ns, "default", "the namespace's default ServiceAccount")
    await api.apply(pod, namespace=ns)
    await until_stored(api, POD, ns, launcher(machine), "the launcher pod Running",
                       lambda p: (p.get("status") or {}).get("phase") == "Running")
    await api.patch_status(VIRTUAL_MACHINE, ns, meta["name"], {"printableStatus": "Running", "ready": True})


async def halt_vm(api: Api, ns: str, name: str) -> Manifest:
    """Playing virt-controller for a VM halted by the platform: once its runStrategy is Halted, the VM is
    Stopped (test_vm_cpu.play_halt) and its launcher pod goes."""
    machine = await play_halt(api, ns, name)
    await api.delete(POD, ns, launcher(machine), grace_seconds=0)
    await until_gone(api, POD, ns, launcher(machine), "the halted VM's launcher pod")
    return machine


async def workload_pods(api: Api, ns: str, name: str) -> list[Manifest]:
    return list((await api.list(POD, ns, label_selector=f"{WORKLOAD_LABEL}={name}")).get("items") or [])


async def test_stopping_a_gpu_vm_frees_its_gpu_and_keeps_it_halted(
        k8s_servers: KubernetesServers, api: Api) -> None:
    server: Server = await blocking(k8s_servers)
    rest = (await k8s_servers.tenant(server, "h9-gpu")).api
    ns = tenant_namespace((await blocking(rest.get, "/api/v1/me")).json()["tenant"]["id"])
    free = (await blocking(tiers, rest))["dedicated"]["available"]
    assert free >= 1, free
    vm = await blocking(new_vm, rest, "gpu-keeper", "tpl-ubuntu-gpu")
    name = object_name(vm["id"])
    machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the GPU VM's VirtualMachine")
    await api.apply(data_volume(machine), namespace=ns)
    await run_vm(api, ns, machine)
    await blocking(wait_vm, rest, vm["id"], "running", WITHIN)
    assert (await blocking(tiers, rest))["dedicated"]["available"] == free - 1  # its launcher pod holds one

    assert (await blocking(vm_act, rest, vm["id"], "stop")).status_code == 200
    await halt_vm(api, ns, name)
    await blocking(wait_vm, rest, vm["id"], "stopped", WITHIN)
    assert (await blocking(tiers, rest))["dedicated"]["available"] == free  # the GPU is free
    halted = await api.get(VIRTUAL_MACHINE, ns, name)
    assert halted is not None and halted["spec"]["runStrategy"] == "Halted" and uid(halted) == uid(machine)
    assert uid(await api.get(DATA_VOLUME, ns, f"{name}-root")) and await workload_pods(api, ns, name) == []
    assert (await blocking(vm_act, rest, vm["id"], "delete")).status_code == 200
    await until_gone(api, VIRTUAL_MACHINE, ns, name, "the deleted GPU VM's VirtualMachine")


async def test_halt_keeps_the_vm_and_reports_absent_only_once_its_launcher_pod_is_gone(
        provisioner: KubernetesProvisioner, api: Api) -> None:
    """The provisioner's ``halt`` in process: TERMINATING (saying what is left) while the launcher pod
    remains, ABSENT once virt-controller stopped it; a second halt changes nothing; ``ensure_running``
    applies the VM again with runStrategy Always."""
    assert isinstance(provisioner, VmHalting) and not issubclass(LocalProvisioner, VmHalting)
    assert provisioner.vms.import_root  # CDI's CRD is installed
    ctx = provisioner.context(HALT_SPEC.instance_id, HALT_SPEC.kind, HALT_SPEC.tenant_id, HALT_SPEC.tier,
                              HALT_SPEC.priority)
    ns, name = ctx.namespace, ctx.name
    try:
        await provisioner.ensure_running(HALT_SPEC, replace_failed=True)
        machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM's VirtualMachine")
        await run_vm(api, ns, machine)

        async def halted_with_pod() -> str | None:
            obs = await provisioner.halt(HALT_SPEC.instance_id)
            assert obs.phase is Phase.TERMINATING, obs
            return obs.reason if "1 launcher pod(s)" in (obs.reason or "") else None

        assert "status Running" in await wait_for("halt to see the launcher pod", halted_with_pod, within=WITHIN)
        await halt_vm(api, ns, name)

        async def absent() -> bool | None:
            return True if (await provisioner.halt(HALT_SPEC.instance_id)).phase is Phase.ABSENT else None

        await wait_for("halt to report no compute left", absent, within=WITHIN)
        halted = await api.get(VIRTUAL_MACHINE, ns, name)
        assert halted is not None and uid(halted) == uid(machine) and halted["spec"]["runStrategy"] == "Halted"
        assert HALT_SPEC.instance_id in await provisioner.workloads()

        await provisioner.ensure_running(HALT_SPEC, replace_failed=True)
        again = await api.get(VIRTUAL_MACHINE, ns, name)
        assert again is not None and uid(again) == uid(machine) and again["spec"]["runStrategy"] == "Always"
    finally:
        await provisioner.ensure_stopped(HALT_SPEC.instance_id)
        await until_gone(api, CONFIG_MAP, ns, name, "the workload's record")
        await api.delete(NAMESPACE, None, ns)


async def test_a_stopped_vm_keeps_its_virtual_machine_and_disks_and_starts_from_the_same_root(
        k8s_servers: KubernetesServers, api: Api) -> None:
    server: Server = await blocking(k8s_servers)
    rest = (await k8s_servers.tenant(server, "h9-halt")).api
    ns = tenant_namespace((await blocking(rest.get, "/api/v1/me")).json()["tenant"]["id"])
    vm = await blocking(new_vm, rest, "keeper", "tpl-ubuntu-cpu")
    name = object_name(vm["id"])
    machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM's VirtualMachine", strategy("Always"))
    await api.apply(data_volume(machine), namespace=ns)
    await run_vm(api, ns, machine)
    await blocking(wait_vm, rest, vm["id"], "running", WITHIN)

    async def still_kept() -> dict[str, str]:
        """The uids of what a stop keeps (a missing one fails)."""
        return {"VirtualMachine": uid(await api.get(VIRTUAL_MACHINE, ns, name)),
                "DataVolume": uid(await api.get(DATA_VOLUME, ns, f"{name}-root")),
                "claim": uid(await api.get(PVC, ns, f"{name}-disk")),
                "record": uid(await api.get(CONFIG_MAP, ns, name))}

    kept = await still_kept()
    assert kept["VirtualMachine"] == uid(machine)

    # Stop: halted, not deleted; stopped only once the launcher pod is gone.
    assert (await blocking(vm_act, rest, vm["id"], "stop")).status_code == 200
    await halt_vm(api, ns, name)
    stopped = await blocking(wait_vm, rest, vm["id"], "stopped", WITHIN)
    assert stopped["status_reason"] == "stopped" and stopped["ssh_host"] is None, stopped
    assert await workload_pods(api, ns, name) == []
    # Later passes keep a stopped VM's workload: a second VM made after the stop gets as far as a
    # VirtualMachine (so passes ran), and the first VM's objects are the same ones, still halted.
    witness = await blocking(new_vm, rest, "witness", "tpl-ubuntu-cpu")
    await until_stored(api, VIRTUAL_MACHINE, ns, object_name(witness["id"]), "a VM made after the stop")
    await blocking(wait_vm, rest, witness["id"], "provisioning", WITHIN)
    assert await still_kept() == kept
    assert (await api.get(VIRTUAL_MACHINE, ns, name) or {})["spec"]["runStrategy"] == "Halted"

    # Start: the same VirtualMachine runs again (runStrategy Always) from the same DataVolume.
    assert (await blocking(vm_act, rest, vm["id"], "start")).status_code == 200
    machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM's runStrategy Always again",
                                 strategy("Always"))
    await blocking(wait_vm, rest, vm["id"], "provisioning", WITHIN)
    await run_vm(api, ns, machine)
    running = await blocking(wait_vm, rest, vm["id"], "running", WITHIN)
    assert (running["ssh_host"], running["ssh_port"]) == (f"{name}.{ns}.svc", 22)
    assert await still_kept() == kept

    # Delete: everything goes, the DataVolume with its VirtualMachine.
    assert (await blocking(vm_act, rest, vm["id"], "delete")).status_code == 200
    await blocking(wait_vm, rest, vm["id"], "terminated", WITHIN)
    for type_, object_ in ((VIRTUAL_MACHINE, name), (CONFIG_MAP, name), (PVC, f"{name}-disk"),
                           (POD, launcher(machine))):
        await until_gone(api, type_, ns, object_, f"the deleted VM's {type_.kind}")
    await gone(api, ns, f"{name}-root", "the deleted VM's DataVolume")
