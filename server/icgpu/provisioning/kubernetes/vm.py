"""A VM as a KubeVirt ``VirtualMachine`` (kubevirt.io/v1), with its root disk, cloud-init and SSH.

Objects, in apply order:

- a PersistentVolumeClaim ``<name>-root`` of the spec's ``storage_gb`` (the boot disk);
- a Secret ``<name>-cloud-init`` whose ``userdata`` is a cloud-config with the authorized keys (read by
  KubeVirt's ``cloudInitNoCloud`` volume through ``secretRef``: keys never sit in the VM object);
- a ClusterIP Service ``<name>`` on port 22 selecting the VM's launcher pod (it carries the template's
  labels);
- the VirtualMachine ``<name>``: ``runStrategy: Always``, the tier's GPU passed through as
  ``domain.devices.gpus[].deviceName`` (the device plugin's resource), the root disk and cloud-init
  disk, the pod network with masquerade, and the tier's priority class.

The phase comes from ``status.printableStatus`` as virt-controller writes it. ``WorkloadSpec`` does not
carry the VM's CPU count, memory or template image: the CPUs and memory are those of the VM template
of the spec's tier (``services/vm_templates.py``), until the spec carries the VM's own.
"""

from __future__ import annotations

import base64
import json

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.kubernetes.disks import volume_claim
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.pods import condition
from icgpu.provisioning.kubernetes.workload_pods import SERVICE, explain, metadata
from icgpu.services.vm_templates import TEMPLATES

VIRTUAL_MACHINE = ObjectType("kubevirt.io", "v1", "virtualmachines", "VirtualMachine")
SECRET = ObjectType("", "v1", "secrets", "Secret")
SSH_PORT = 22
USERDATA_KEY = "userdata"  # the key KubeVirt reads a cloud-init Secret's user data from
FALLBACK_CPU, FALLBACK_MEMORY_GB = 4, 16  # a tier no template defaults to

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


def size_for_tier(tier: str) -> tuple[int, int]:
    """(CPUs, memory GiB) of the VM template that defaults to `tier`."""
    template = next((t for t in TEMPLATES.values() if t.gpu_tier == tier), None)
    return (template.default_cpu, template.default_memory_gb) if template else (FALLBACK_CPU, FALLBACK_MEMORY_GB)


def cloud_config(authorized_keys: str) -> str:
    """A #cloud-config giving the default user the keys (one per line of `authorized_keys`), password
    log-in off. Written as JSON, which is YAML, so no key can break the document's quoting."""
    keys = [line.strip() for line in authorized_keys.splitlines() if line.strip()]
    return "#cloud-config\n" + json.dumps({"ssh_pwauth": False, "ssh_authorized_keys": keys}, indent=2) + "\n"


class VmRenderer:
    kind = WorkloadKind.VM
    status_type = VIRTUAL_MACHINE

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        root, cloud_init = f"{ctx.name}-root", f"{ctx.name}-cloud-init"
        cpu, memory_gb = size_for_tier(spec.tier)
        userdata = base64.b64encode(cloud_config(spec.authorized_keys).encode()).decode()
        secret: Manifest = {"apiVersion": SECRET.api_version, "kind": SECRET.kind,
                            "metadata": metadata(ctx, cloud_init), "type": "Opaque",
                            "data": {USERDATA_KEY: userdata}}
        service: Manifest = {
            "apiVersion": SERVICE.api_version, "kind": SERVICE.kind, "metadata": metadata(ctx),
            "spec": {"type": "ClusterIP", "selector": dict(ctx.labels),
                     "ports": [{"name": "ssh", "port": SSH_PORT, "targetPort": SSH_PORT, "protocol": "TCP"}]},
        }
        vm: Manifest = {
            "apiVersion": VIRTUAL_MACHINE.api_version,
            "kind": VIRTUAL_MACHINE.kind,
            "metadata": metadata(ctx),
            "spec": {
                "runStrategy": "Always",
                "template": {
                    "metadata": {"labels": dict(ctx.labels)},
                    "spec": {
                        "domain": {
                            "cpu": {"cores": cpu},
                            "memory": {"guest": f"{memory_gb}Gi"},
                            "devices": {
                                "disks": [{"name": "rootdisk", "bootOrder": 1, "disk": {"bus": "virtio"}},
                                          {"name": "cloudinitdisk", "disk": {"bus": "virtio"}}],
                                "gpus": [{"name": "gpu0", "deviceName": ctx.gpu_resource}],
                                "interfaces": [{"name": "default", "masquerade": {}}],
                            },
                        },
                        "networks": [{"name": "default", "pod": {}}],
                        "volumes": [
                            {"name": "rootdisk", "persistentVolumeClaim": {"claimName": root}},
                            {"name": "cloudinitdisk", "cloudInitNoCloud": {"secretRef": {"name": cloud_init}}},
                        ],
                        "priorityClassName": ctx.priority_class,
                    },
                },
            },
        }
        return [volume_claim(root, ctx.namespace, ctx.labels, spec.storage_gb), secret, service, vm]

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


def _why(vm: Manifest, printable: str) -> str:
    """The printable status, with the message of the condition that explains it (a False Ready, a
    PodScheduled False from the scheduler, or a Failure)."""
    for kind in ("Failure", "PodScheduled", "Ready"):
        cond = condition(vm, kind)
        if cond is not None and cond.get("status") == ("True" if kind == "Failure" else "False") and explain(cond):
            return f"{printable}: {explain(cond)}"
    return printable
