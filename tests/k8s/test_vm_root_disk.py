"""A VM's root disk where CDI is installed: with CDI's DataVolume CRD (scripts/k8s/crds/optional/, installed by
this module for its own tests and removed at its end, so the other modules' servers keep booting VMs from a
containerDisk), the VirtualMachine carries a ``dataVolumeTemplates`` entry ``<name>-root`` importing the OS
image from its registry (``docker://<image>``) into a volume of the template's root size, and boots from it
(a ``dataVolume`` volume) instead of a containerDisk: the root filesystem persists across the guest's
restarts and goes with the VirtualMachine.

The rendered VirtualMachine (GPU and CPU-only) and the DataVolume virt-controller makes from its template
pass the strict server-side dry run against the pinned CRDs, which share the DataVolume spec's schema and
refuse a registry URL CDI would refuse; a provisioner started with the CRD there decides so and logs it; end
to end with a real ``icgpu serve``, a CPU-only and a GPU VM created over REST carry the template, run once the
test (playing virt-controller) made the DataVolume owned by the VirtualMachine and wrote its status;
stopping one halts it, its DataVolume kept (test_vm_halt.py), and deleting it removes its VirtualMachine
and, with it, its DataVolume.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import yaml
from kubernetes_asyncio import client

from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.naming import object_name
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP
from icgpu.provisioning.kubernetes.vm import (
    BOOT_IMAGES,
    DATA_VOLUME,
    DATA_VOLUME_CRD,
    ROOT_DISK_GB,
    VIRTUAL_MACHINE,
    VmRenderer,
)
from icgpu.services.vm_templates import TEMPLATES
from tests.k8s.conftest import KubernetesServers, new_provisioner
from tests.k8s.control_plane import ROOT, ControlPlane, wait_for
from tests.k8s.test_dry_run import SPECS, Api, api, assert_kept, ns, refused
from tests.k8s.test_vcluster import installed_crds
from tests.k8s.test_vm_cpu import CPU_SPEC, boot_volume, play_halt, provisioner_context
from tests.k8s.test_vm_storage_network import until_gone, until_stored
from tests.k8s.workloads import blocking
from tests.support.server import Server
from tests.support.vms import new_vm, vm_act, wait_vm

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

__all__ = ["api", "ns"]  # fixtures of test_dry_run.py, used here too

WITHIN = 30.0  # seconds for any one state to be reached
# kube-controller-manager's garbage collector looks for new resources every 30 s: until it has seen the
# DataVolume CRD this module installed, it deletes no DataVolume whose owner went (measured: 22-26 s).
GC_DISCOVERY = 60.0
IMAGE_URL = "docker://" + BOOT_IMAGES["ubuntu-22.04"]
CRDS = ROOT / "scripts/k8s/crds"
VIRT_CONTROLLER = "virt-controller"  # the field manager the test writes as, playing KubeVirt


@pytest.fixture(scope="module", autouse=True)
async def data_volume_crd(kube: client.ApiClient) -> AsyncIterator[None]:
    """CDI's DataVolume CRD for this module's tests only."""
    async with installed_crds(kube, DATA_VOLUME_CRD):
        yield


def root_template(vm: Manifest) -> Manifest:
    templates = vm["spec"]["dataVolumeTemplates"]
    assert len(templates) == 1, templates
    return dict(templates[0])


def data_volume(vm: Manifest) -> Manifest:
    """The DataVolume virt-controller makes from the VM's template: in its namespace, owned by the VM."""
    template = root_template(vm)
    meta = vm["metadata"]
    owner = {"ownerReferences": [{"apiVersion": VIRTUAL_MACHINE.api_version, "kind": VIRTUAL_MACHINE.kind,
                                  "name": meta["name"], "uid": meta["uid"], "controller": True,
                                  "blockOwnerDeletion": True}]} if meta.get("uid") else {}  # a stored VM
    return {"apiVersion": DATA_VOLUME.api_version, "kind": DATA_VOLUME.kind,
            "metadata": {**template["metadata"], "namespace": meta["namespace"], **owner}, "spec": template["spec"]}


def test_the_virtual_machine_crd_holds_cdis_data_volume_spec() -> None:
    """One schema of DataVolumeSpec in both CRDs (the VM's templates are DataVolumes to be)."""
    vm_crd = yaml.safe_load((CRDS / "virtualmachines.kubevirt.io.yaml").read_text())
    dv_crd = yaml.safe_load((CRDS / "optional" / f"{DATA_VOLUME_CRD}.yaml").read_text())
    vm_spec = vm_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    dv_spec = dv_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert vm_spec["dataVolumeTemplates"]["items"]["properties"]["spec"] == dv_spec
    assert "registry" in dv_spec["properties"]["source"]["properties"]


async def test_an_imported_root_disk_passes_server_side_dry_run(control_plane: ControlPlane, api: Api, ns: str) -> None:
    renderer = VmRenderer(import_root=True)
    for spec, size in ((CPU_SPEC, TEMPLATES["tpl-ubuntu-cpu"].min_disk_gb), (SPECS["vm"], ROOT_DISK_GB)):
        ctx = provisioner_context(control_plane, spec, ns)
        manifests = renderer.render(spec, ctx)
        vm = manifests[-1]
        assert root_template(vm) == {
            "metadata": {"name": f"{ctx.name}-root", "labels": ctx.labels},
            "spec": {"source": {"registry": {"url": IMAGE_URL}},
                     "storage": {"resources": {"requests": {"storage": f"{size}Gi"}}}}}
        assert boot_volume(vm) == {"name": "bootdisk", "dataVolume": {"name": f"{ctx.name}-root"}}
        assert "containerDisk" not in str(vm)
        # The rest is as without CDI: the same objects, the same VM but for its root disk.
        plain = VmRenderer().render(spec, ctx)
        assert manifests[:-1] == plain[:-1]
        template, plain_template = vm["spec"]["template"], plain[-1]["spec"]["template"]
        assert template["spec"]["domain"] == plain_template["spec"]["domain"]
        assert template["spec"]["volumes"][1:] == plain_template["spec"]["volumes"][1:]
        for manifest in manifests:
            assert_kept(manifest, await api.apply_strict(manifest, dry_run=True))
        # What virt-controller makes of the template is a valid DataVolume.
        assert_kept(data_volume(vm), await api.apply_strict(data_volume(vm), dry_run=True))

    # The pinned schema refuses a registry URL CDI refuses, in the VM's template and in a DataVolume.
    bad = data_volume(vm)
    bad["spec"]["source"]["registry"]["url"] = "https://" + BOOT_IMAGES["ubuntu-22.04"]
    assert "spec.source.registry.url" in await refused(api.create(bad))
    wrong = replace_template(vm, bad["spec"])
    assert "spec.dataVolumeTemplates[0].spec.source.registry.url" in await refused(api.create(wrong))


def replace_template(vm: Manifest, spec: Manifest) -> Manifest:
    template = {**root_template(vm), "spec": spec}
    return {**vm, "spec": {**vm["spec"], "dataVolumeTemplates": [template]}}


async def test_a_provisioner_started_with_cdi_imports_roots_and_says_so(
        control_plane: ControlPlane, caplog: pytest.LogCaptureFixture) -> None:
    provisioner = new_provisioner(control_plane)
    assert provisioner.vms.import_root is False  # until start() has looked
    with caplog.at_level(logging.INFO, logger="icgpu.provisioning.kubernetes.vm"):
        await provisioner.start()
        try:
            assert provisioner.vms.import_root is True
        finally:
            await provisioner.stop()
    said = [r.getMessage() for r in caplog.records if DATA_VOLUME_CRD in r.getMessage()]
    assert len(said) == 1 and "is installed: a VM's root disk is a DataVolume" in said[0], said


async def test_vms_over_rest_boot_from_a_data_volume_that_goes_with_the_vm(
        k8s_servers: KubernetesServers, api: Api) -> None:
    server: Server = await blocking(k8s_servers)
    tenant = await k8s_servers.tenant(server, "h6-root")
    rest = tenant.api
    ns = tenant_namespace((await blocking(rest.get, "/api/v1/me")).json()["tenant"]["id"])
    vms = {template: await blocking(new_vm, rest, f"root-{template[11:]}", template)
           for template in ("tpl-ubuntu-cpu", "tpl-ubuntu-mig")}

    for template, vm in vms.items():
        name = object_name(vm["id"])
        machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, f"the {template} VM's VirtualMachine")
        size = TEMPLATES[template].min_disk_gb  # the template's root size
        assert root_template(machine)["spec"] == {"source": {"registry": {"url": IMAGE_URL}},
                                                  "storage": {"resources": {"requests": {"storage": f"{size}Gi"}}}}
        assert boot_volume(machine) == {"name": "bootdisk", "dataVolume": {"name": f"{name}-root"}}
        # Playing virt-controller: the DataVolume, owned by the VM, then the VM running.
        await api.apply(data_volume(machine), namespace=ns)
        await api.patch_status(VIRTUAL_MACHINE, ns, name, {"printableStatus": "Running", "ready": True})
        await blocking(wait_vm, rest, vm["id"], "running", WITHIN)
    assert server.log().count(f"CDI's CRD {DATA_VOLUME_CRD} is installed") == 1

    stopped = vms["tpl-ubuntu-cpu"]
    name = object_name(stopped["id"])
    assert (await blocking(vm_act, rest, stopped["id"], "stop")).status_code == 200
    await play_halt(api, ns, name)
    await blocking(wait_vm, rest, stopped["id"], "stopped", WITHIN)
    assert await api.get(DATA_VOLUME, ns, f"{name}-root") is not None  # a stop keeps the root disk

    assert (await blocking(vm_act, rest, stopped["id"], "delete")).status_code == 200
    for type_, object_ in ((VIRTUAL_MACHINE, name), (CONFIG_MAP, name)):
        await until_gone(api, type_, ns, object_, f"the deleted VM's {type_.kind}")
    await gone(api, ns, f"{name}-root", "the deleted VM's DataVolume, deleted with its VirtualMachine")
    other = object_name(vms["tpl-ubuntu-mig"]["id"])
    assert await api.get(DATA_VOLUME, ns, f"{other}-root") is not None  # the other VM's stays

    assert (await blocking(vm_act, rest, vms["tpl-ubuntu-mig"]["id"], "delete")).status_code == 200
    await gone(api, ns, f"{other}-root", "the deleted VM's DataVolume")


async def gone(api: Api, ns: str, name: str, what: str) -> None:
    async def probe() -> bool | None:
        return True if await api.get(DATA_VOLUME, ns, name) is None else None

    await wait_for(what, probe, within=GC_DISCOVERY)
