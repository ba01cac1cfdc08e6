"""CPU-only VMs on the Kubernetes provisioner: a VM of a CPU-only template is a KubeVirt VirtualMachine like a
GPU VM (the provisioner says it runs them: ``runs_cpu_vms``), without a GPU device, its CPUs and memory
from the template, its labels, disk, cloud-init and SSH Service the same. Its spec has no tier
(``NO_GPU_TIER``): the provisioner gives its renderer no GPU resource.

The rendered objects pass the API server's strict server-side dry run; end to end with a real ``icgpu serve``
(REST only), the VM becomes a VirtualMachine, is ``running`` once the test (playing virt-controller)
writes ``printableStatus: Running``, stopping it halts the VirtualMachine (``runStrategy: Halted``; its
disk claim and Service kept: test_vm_halt.py) and deleting it removes everything of the workload, as for
a GPU VM. No CDI CRD is installed in this module: the server boots VMs from a
containerDisk and says so in its log, once.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from icgpu.provisioning.base import NO_GPU_TIER, PRIORITY_INTERACTIVE, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import VmDetails
from icgpu.provisioning.kubernetes.kinds import Manifest, RenderContext
from icgpu.provisioning.kubernetes.naming import TIER_LABEL, object_name
from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP
from icgpu.provisioning.kubernetes.vm import BOOT_IMAGES, DATA_VOLUME_CRD, TEMPLATE_LABEL, VIRTUAL_MACHINE, VmRenderer
from icgpu.services.vm_templates import TEMPLATES
from tests.k8s.conftest import KubernetesServers, new_provisioner
from tests.k8s.control_plane import ControlPlane
from tests.k8s.test_dry_run import KEYS, SPECS, TENANT, Api, api, assert_kept, ns
from tests.k8s.test_vm_storage_network import until_gone, until_stored
from tests.k8s.workloads import PVC, SERVICE, blocking
from tests.support.graphql import event_types
from tests.support.server import Server
from tests.support.tenants import Tenant
from tests.support.vms import get_vm, new_vm, vm_act, wait_vm

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

__all__ = ["api", "ns"]  # fixtures of test_dry_run.py, used here too

WITHIN = 30.0  # seconds for any one state to be reached
CPU_TEMPLATE = TEMPLATES["tpl-ubuntu-cpu"]
CPU_VM = VmDetails(cpu=CPU_TEMPLATE.default_cpu, memory_gb=CPU_TEMPLATE.default_memory_gb,
                   template_id=CPU_TEMPLATE.id, os=CPU_TEMPLATE.os, root_disk_gb=CPU_TEMPLATE.min_disk_gb)
CPU_SPEC = WorkloadSpec("vm-h6cpuonly0001", NO_GPU_TIER, PRIORITY_INTERACTIVE, CPU_TEMPLATE.default_disk_gb, KEYS,
                        WorkloadKind.VM, TENANT, details=CPU_VM)


def provisioner_context(control_plane: ControlPlane, spec: WorkloadSpec, namespace: str) -> RenderContext:
    """The context the Kubernetes provisioner itself gives the workload, moved to the test's namespace."""
    ctx = new_provisioner(control_plane).context(spec.instance_id, spec.kind, spec.tenant_id, spec.tier,
                                                 spec.priority)
    return replace(ctx, namespace=namespace)


def devices(vm: Manifest) -> Manifest:
    return dict(vm["spec"]["template"]["spec"]["domain"]["devices"])


async def play_halt(api: Api, ns: str, name: str) -> Manifest:
    """Playing virt-controller for a VM the platform halted: once its runStrategy is Halted, its VMI is gone
    and the VM ``Stopped`` (test_vm_halt.py runs a launcher pod as well and deletes it)."""
    machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM's runStrategy Halted",
                                 lambda vm: vm["spec"].get("runStrategy") == "Halted")
    await api.patch_status(VIRTUAL_MACHINE, ns, name, {"printableStatus": "Stopped", "ready": False})
    return machine


def boot_volume(vm: Manifest) -> Manifest:
    return next(v for v in vm["spec"]["template"]["spec"]["volumes"] if v["name"] == "bootdisk")


async def test_a_cpu_only_vm_renders_without_a_gpu_and_passes_server_side_dry_run(
        control_plane: ControlPlane, api: Api, ns: str) -> None:
    ctx = provisioner_context(control_plane, CPU_SPEC, ns)
    assert ctx.gpu_resource == "" and ctx.labels[TIER_LABEL] == NO_GPU_TIER
    manifests = VmRenderer().render(CPU_SPEC, ctx)
    assert [m["kind"] for m in manifests] == ["PersistentVolumeClaim", "Secret", "Service", "VirtualMachine"]
    vm = manifests[-1]
    domain = vm["spec"]["template"]["spec"]["domain"]
    assert "gpus" not in domain["devices"], domain
    assert domain["cpu"] == {"cores": 2} and domain["memory"] == {"guest": "4Gi"}
    assert vm["metadata"]["labels"][TEMPLATE_LABEL] == "tpl-ubuntu-cpu"
    assert boot_volume(vm) == {"name": "bootdisk", "containerDisk": {"image": BOOT_IMAGES["ubuntu-22.04"]}}
    assert vm["spec"]["template"]["spec"]["priorityClassName"] == "icgpu-interactive"
    for manifest in manifests:
        assert_kept(manifest, await api.apply_strict(manifest, dry_run=True))

    # A GPU VM through the same context keeps its device (the tier's resource).
    gpu_ctx = provisioner_context(control_plane, SPECS["vm"], ns)
    assert devices(VmRenderer().render(SPECS["vm"], gpu_ctx)[-1])["gpus"] == [
        {"name": "gpu0", "deviceName": "nvidia.com/gpu"}]


async def test_a_cpu_only_vm_over_rest_is_a_virtual_machine_that_runs_and_stops(
        k8s_servers: KubernetesServers, api: Api) -> None:
    server: Server = await blocking(k8s_servers)
    tenant: Tenant = await k8s_servers.tenant(server, "h6-cpu")
    rest = tenant.api
    ns = tenant_namespace((await blocking(rest.get, "/api/v1/me")).json()["tenant"]["id"])

    vm = await blocking(new_vm, rest, "build-box", "tpl-ubuntu-cpu")
    assert vm["gpu_tier"] is None
    name = object_name(vm["id"])
    machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the CPU-only VM's VirtualMachine")
    domain = machine["spec"]["template"]["spec"]["domain"]
    assert "gpus" not in domain["devices"], domain
    assert domain["cpu"] == {"cores": vm["cpu"]} == {"cores": 2} and domain["memory"] == {"guest": "4Gi"}
    assert machine["metadata"]["labels"][TEMPLATE_LABEL] == "tpl-ubuntu-cpu"
    assert machine["metadata"]["labels"][TIER_LABEL] == NO_GPU_TIER
    assert boot_volume(machine) == {"name": "bootdisk", "containerDisk": {"image": BOOT_IMAGES["ubuntu-22.04"]}}
    assert "dataVolumeTemplates" not in machine["spec"]
    assert await api.get(PVC, ns, f"{name}-disk") is not None and await api.get(SERVICE, ns, name) is not None
    # Not running until KubeVirt says so (the local simulator's timer would have made it running by now).
    provisioning = await blocking(wait_vm, rest, vm["id"], "provisioning", WITHIN)
    assert provisioning["status_reason"] == "starting", provisioning

    await api.patch_status(VIRTUAL_MACHINE, ns, name, {"printableStatus": "Running", "ready": True})
    running = await blocking(wait_vm, rest, vm["id"], "running", WITHIN)
    assert (running["ssh_host"], running["ssh_port"]) == (f"{name}.{ns}.svc", 22)

    assert (await blocking(vm_act, rest, vm["id"], "stop")).status_code == 200
    await play_halt(api, ns, name)
    await blocking(wait_vm, rest, vm["id"], "stopped", WITHIN)
    assert await api.get(PVC, ns, f"{name}-disk") is not None and await api.get(SERVICE, ns, name) is not None
    assert (await blocking(get_vm, rest, vm["id"]))["ssh_host"] is None
    assert await blocking(event_types, server, vm["id"]) == [
        "vm.created", "vm.provisioning", "vm.started", "vm.stopping", "vm.stopped"]
    assert server.log().count(f"CDI's CRD {DATA_VOLUME_CRD} is not installed") == 1
    assert (await blocking(vm_act, rest, vm["id"], "delete")).status_code == 200
    for type_, object_ in ((VIRTUAL_MACHINE, name), (CONFIG_MAP, name), (PVC, f"{name}-disk"), (SERVICE, name)):
        await until_gone(api, type_, ns, object_, f"the deleted VM's {type_.kind}")
