"""A VM as a KubeVirt ``VirtualMachine`` (kubevirt.io/v1), with its disk, cloud-init and SSH.

Objects, in apply order:

- a PersistentVolumeClaim ``<name>-disk`` of the spec's ``storage_gb`` (the VM's persistent disk);
- a Secret ``<name>-cloud-init`` whose ``userdata`` is a cloud-config with the authorized keys (read by
  KubeVirt's ``cloudInitNoCloud`` volume through ``secretRef``: keys never sit in the VM object);
- a ClusterIP Service ``<name>`` on port 22 selecting the VM's launcher pod (it carries the template's
  labels);
- the VirtualMachine ``<name>``: ``runStrategy: Always``, the VM's own CPUs and memory
  (``VmDetails``), the tier's GPU passed through as ``domain.devices.gpus[].deviceName`` (the device
  plugin's resource; a CPU-only VM, whose spec has no tier, has no GPU device), the root disk booted
  first (below), then the persistent disk and the cloud-init disk, then the tenant's disks attached
  to the VM (each its own claim, ``disks.py``, made apart from the VM: it outlives it), the pod network
  with masquerade, and the workload's priority class. Its pod carries
  ``net.icgpu.dev/<network id>: attached`` for each network the VM is attached to, which the network's
  NetworkPolicy selects (network_policy.py).

The root disk holds the template's OS image (``BOOT_IMAGES``), one of two ways (``VmRenderer``'s
``import_root``, which the provisioner decides once at start by whether CDI's DataVolume CRD is
installed: ``cdi_installed``):

- with CDI: a ``dataVolumeTemplates`` entry ``<name>-root`` that imports the image from its registry
  (``source.registry.url: docker://<image>``) into a volume of ``VmDetails.root_disk_gb`` (the
  template's image size; ``ROOT_DISK_GB`` when unset), mounted as a ``dataVolume``. virt-controller
  makes the DataVolume, owned by the VirtualMachine: the root filesystem persists across the guest's
  restarts and goes with the VirtualMachine;
- without: a ``containerDisk`` of the image, so the root filesystem starts afresh at every start.

``storage_gb`` is the persistent disk beside it either way. A spec without ``VmDetails``, or of an OS
with no boot image, is refused (``WorkloadRefused``).

The phase comes from ``status.printableStatus`` as virt-controller writes it.

A stop halts the VM instead of deleting it (base.VmHalting, the provisioner's ``halt``): the
VirtualMachine's ``runStrategy`` becomes ``Halted`` (``HALT_PATCH``), virt-controller deletes its VMI and
so the launcher pod (the GPU is free), and the VirtualMachine, its root DataVolume (owned by it) and its
``<name>-disk`` claim stay; ``halted`` says when no compute is left. A start applies the objects again
with ``runStrategy: Always``: the same VirtualMachine boots from the same root disk.
"""
from __future__ import annotations

import base64
import json
import logging

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import VmDetails, WorkloadRefused, require
from icgpu.provisioning.kubernetes.disks import claim_name, volume_claim
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.network_policy import MEMBER, member_label
from icgpu.provisioning.kubernetes.pods import condition
from icgpu.provisioning.kubernetes.resources import Resources, crd_installed
from icgpu.provisioning.kubernetes.workload_pods import SERVICE, explain, metadata

log = logging.getLogger(__name__)

VIRTUAL_MACHINE = ObjectType("kubevirt.io", "v1", "virtualmachines", "VirtualMachine")
DATA_VOLUME = ObjectType("cdi.kubevirt.io", "v1beta1", "datavolumes", "DataVolume")
DATA_VOLUME_CRD = f"{DATA_VOLUME.plural}.{DATA_VOLUME.group}"  # CDI's: where it is installed, roots are imported
ROOT_DISK_GB = 10  # a root disk's size when the spec gives none (an Ubuntu 22.04 cloud image is 2.2 GiB)
SECRET = ObjectType("", "v1", "secrets", "Secret")
SSH_PORT = 22
USERDATA_KEY = "userdata"  # the key KubeVirt reads a cloud-init Secret's user data from
TEMPLATE_LABEL = "icgpu.dev/vm-template"
# The VM templates' operating systems (services/vm_templates.py VmTemplate.os) -> the KubeVirt
# containerDisk image that boots it (the KubeVirt project's published cloud images).
BOOT_IMAGES = {"ubuntu-22.04": "quay.io/containerdisks/ubuntu:22.04"}

ALWAYS, HALTED = "Always", "Halted"  # runStrategy: run it (and restart it), or keep it stopped
HALT_PATCH: Manifest = {"spec": {"runStrategy": HALTED}}  # a merge patch of the VirtualMachine
STOPPED = "Stopped"  # printableStatus once no VMI exists

# printableStatus (KubeVirt's VirtualMachinePrintableStatus) -> phase; any other (Paused, WaitingForReceiver ...)
# reads as starting.
STATUS_PHASES: dict[str, Phase] = {
    "Running": Phase.RUNNING,
    "Migrating": Phase.RUNNING,  # live migration: the guest keeps running
    "Provisioning": Phase.STARTING,  # volumes being prepared
    "Starting": Phase.STARTING,
    "WaitingForVolumeBinding": Phase.STARTING,
    "Stopped": Phase.STARTING,  # runStrategy Always: virt-controller starts it again
    "ErrorUnschedulable": Phase.UNSCHEDULABLE,
    "Stopping": Phase.TERMINATING,
    "Terminating": Phase.TERMINATING,
    "CrashLoopBackOff": Phase.FAILED,
    "ErrImagePull": Phase.FAILED,
    "ImagePullBackOff": Phase.FAILED,
    "ErrorPvcNotFound": Phase.FAILED,
    "ErrorDataVolumeNotFound": Phase.FAILED,
    "DataVolumeError": Phase.FAILED,
    "Unknown": Phase.FAILED,  # the VM's node stopped reporting
}


def boot_image(os: str) -> str:
    try:
        return BOOT_IMAGES[os]
    except KeyError:
        raise WorkloadRefused(f"no boot image for a VM of OS {os!r} (known: {', '.join(BOOT_IMAGES)})") from None


def registry_url(image: str) -> str:
    """A container image as CDI's registry import names it (``docker://`` + the image)."""
    return f"docker://{image}"


def root_disk_template(name: str, labels: dict[str, str], details: VmDetails) -> Manifest:
    """The VirtualMachine's ``dataVolumeTemplates`` entry of its root disk: the OS image imported from
    its registry into a volume of the template's root size (CDI's ``storage`` API: the StorageProfile
    of the cluster's default class fills in the access and volume modes)."""
    size = details.root_disk_gb if details.root_disk_gb is not None else ROOT_DISK_GB
    return {"metadata": {"name": name, "labels": dict(labels)},
            "spec": {"source": {"registry": {"url": registry_url(boot_image(details.os))}},
                     "storage": {"resources": {"requests": {"storage": f"{size}Gi"}}}}}


async def cdi_installed(resources: Resources) -> bool:
    """Is CDI's DataVolume CRD there? Decided once at start and logged (resources.crd_installed)."""
    installed = await crd_installed(resources, DATA_VOLUME_CRD)
    if installed:
        log.info("CDI's CRD %s is installed: a VM's root disk is a DataVolume imported from its OS image "
                 "(dataVolumeTemplates: it persists across the guest's restarts and goes with the VM)", DATA_VOLUME_CRD)
    else:
        log.info("CDI's CRD %s is not installed: a VM's root disk is a containerDisk of its OS image "
                 "(its root filesystem starts afresh at every start)", DATA_VOLUME_CRD)
    return installed


def cloud_config(authorized_keys: str) -> str:
    """A #cloud-config giving the default user the keys (one per line of `authorized_keys`), password
    log-in off. Written as JSON, which is YAML, so no key can break the document's quoting."""
    keys = [line.strip() for line in authorized_keys.splitlines() if line.strip()]
    return "#cloud-config\n" + json.dumps({"ssh_pwauth": False, "ssh_authorized_keys": keys}, indent=2) + "\n"


def attached_disks(details: VmDetails) -> list[Manifest]:
    """The VM's persistent disks (``vm_disks``) after its own: each a virtio disk whose serial is the
    disk's id, so the guest finds it as ``/dev/disk/by-id/virtio-<disk id>`` whatever its order."""
    return [{"name": claim_name(disk_id), "serial": disk_id, "disk": {"bus": "virtio"}} for disk_id in details.disk_ids]


def attached_volumes(details: VmDetails) -> list[Manifest]:
    """Each attached disk's own claim (disks.py ``disk_claim``, applied apart from the VM: it outlives it)."""
    return [{"name": claim_name(disk_id), "persistentVolumeClaim": {"claimName": claim_name(disk_id)}}
            for disk_id in details.disk_ids]


class VmRenderer:
    kind = WorkloadKind.VM
    status_type = VIRTUAL_MACHINE

    def __init__(self, *, import_root: bool = False) -> None:
        self.import_root = import_root  # the root disk a CDI DataVolume (else a containerDisk)

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        details = require(spec.details, VmDetails, spec.instance_id)
        disk, cloud_init, root = f"{ctx.name}-disk", f"{ctx.name}-cloud-init", f"{ctx.name}-root"
        networks = {member_label(network): MEMBER for network in details.network_ids}
        userdata = base64.b64encode(cloud_config(spec.authorized_keys).encode()).decode()
        secret: Manifest = {"apiVersion": SECRET.api_version, "kind": SECRET.kind,
                            "metadata": metadata(ctx, cloud_init), "type": "Opaque",
                            "data": {USERDATA_KEY: userdata}}
        service: Manifest = {
            "apiVersion": SERVICE.api_version, "kind": SERVICE.kind, "metadata": metadata(ctx),
            "spec": {"type": "ClusterIP", "selector": dict(ctx.labels),
                     "ports": [{"name": "ssh", "port": SSH_PORT, "targetPort": SSH_PORT, "protocol": "TCP"}]},
        }
        boot: Manifest = ({"dataVolume": {"name": root}} if self.import_root
                          else {"containerDisk": {"image": boot_image(details.os)}})
        # A CPU-only VM (no tier: base.NO_GPU_TIER) has no GPU device.
        gpus = {"gpus": [{"name": "gpu0", "deviceName": ctx.gpu_resource}]} if ctx.gpu_resource else {}
        vm: Manifest = {
            "apiVersion": VIRTUAL_MACHINE.api_version,
            "kind": VIRTUAL_MACHINE.kind,
            "metadata": metadata(ctx, labels={TEMPLATE_LABEL: details.template_id.lower()}),
            "spec": {
                **({"dataVolumeTemplates": [root_disk_template(root, ctx.labels, details)]}
                   if self.import_root else {}),
                "runStrategy": ALWAYS,
                "template": {
                    "metadata": {"labels": {**ctx.labels, **networks}},
                    "spec": {
                        "domain": {
                            "cpu": {"cores": details.cpu},
                            "memory": {"guest": f"{details.memory_gb}Gi"},
                            "devices": {
                                "disks": [{"name": "bootdisk", "bootOrder": 1, "disk": {"bus": "virtio"}},
                                          {"name": "datadisk", "disk": {"bus": "virtio"}},
                                          {"name": "cloudinitdisk", "disk": {"bus": "virtio"}},
                                          *attached_disks(details)],
                                **gpus,
                                "interfaces": [{"name": "default", "masquerade": {}}],
                            },
                        },
                        "networks": [{"name": "default", "pod": {}}],
                        "volumes": [
                            {"name": "bootdisk", **boot},
                            {"name": "datadisk", "persistentVolumeClaim": {"claimName": disk}},
                            {"name": "cloudinitdisk", "cloudInitNoCloud": {"secretRef": {"name": cloud_init}}},
                            *attached_volumes(details),
                        ],
                        "priorityClassName": ctx.priority_class,
                    },
                },
            },
        }
        return [volume_claim(disk, ctx.namespace, ctx.labels, spec.storage_gb), secret, service, vm]

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        if status_object is None:
            return Observation(Phase.ABSENT)
        if (status_object.get("metadata") or {}).get("deletionTimestamp"):
            return Observation(Phase.TERMINATING)
        printable = (status_object.get("status") or {}).get("printableStatus")
        if printable is None:  # virt-controller has not looked at it yet
            return Observation(Phase.STARTING)
        phase = STATUS_PHASES.get(printable, Phase.STARTING)
        if phase is Phase.RUNNING:
            return Observation(phase, host=f"{ctx.name}.{ctx.namespace}.svc", port=SSH_PORT)
        return Observation(phase, reason=_why(status_object, printable) if phase is not Phase.STARTING else None)


def run_strategy(vm: Manifest) -> str | None:
    return (vm.get("spec") or {}).get("runStrategy")


def halted(vm: Manifest | None, pods: list[Manifest]) -> Observation:
    """A halting VM's compute: ABSENT once virt-controller says it is ``Stopped`` (no VMI) and none of its
    launcher pods (labelled with the workload, as the VMI's template is) remains, so nothing holds its GPU
    or runs the guest; TERMINATING until then, saying what is left. A VirtualMachine that is not there
    runs nothing."""
    if vm is None:
        return Observation(Phase.ABSENT)
    printable = (vm.get("status") or {}).get("printableStatus")
    if run_strategy(vm) == HALTED and printable in (None, STOPPED) and not pods:
        return Observation(Phase.ABSENT)
    left = [f"{len(pods)} launcher pod(s)"] if pods else []
    if printable != STOPPED:
        left.append(f"status {printable or 'not yet written'}")
    return Observation(Phase.TERMINATING, reason=f"halting: {', '.join(left) or 'runStrategy not Halted yet'}")


def _why(vm: Manifest, printable: str) -> str:
    """The printable status, with the message of the condition that explains it (a False Ready, a
    PodScheduled False from the scheduler, or a Failure)."""
    for kind in ("Failure", "PodScheduled", "Ready"):
        cond = condition(vm, kind)
        if cond is not None and cond.get("status") == ("True" if kind == "Failure" else "False") and explain(cond):
            return f"{printable}: {explain(cond)}"
    return printable
