"""What an instance becomes on Kubernetes: a Secret with the SSH authorized keys, a PVC of its
``storage_gb``, a Service for SSH and the Pod itself (the status object).

- The Pod asks for one slot of its tier as an extended resource (requests equal limits, as the
  scheduler requires for extended resources): ``nvidia.com/gpu``, ``nvidia.com/mig-<profile>`` or
  ``nvidia.com/gpu.shared``; it selects its tier's nodes by the ``icgpu.dev/gpu-tier`` label (the
  resource alone would already pick them; the label keeps a tier from landing on a node that merely
  offers the same resource) and runs at the PriorityClass of its workload type, so the scheduler
  preempts batch work for interactive work. The fake kwok nodes carry no taints, so no toleration
  is needed.
- SSH: the container listens on port 22; the authorized keys are the Secret, mounted read-only at
  ``/etc/icgpu/ssh/authorized_keys`` (the image's sshd reads them there); the PVC is ``/workspace``.
- The instance's SSH address is the Service's DNS name, ``<name>.<namespace>.svc`` port 22: stable
  for the workload's life and known without reading the Service (its cluster IP is what the name
  resolves to in the cluster).
- The PVC asks for no storage class (the cluster's default one; none at all binds a pre-made volume).
"""

from __future__ import annotations

from dataclasses import replace

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.naming import MANAGED_BY, TIER_LABEL, WORKLOAD_LABEL
from icgpu.provisioning.kubernetes.pods import pod_observation

IMAGE = "ghcr.io/icgpu/instance:latest"  # sshd, CUDA and the tenant's tools; kwok never pulls it
SSH_PORT = 22
KEYS_DIR = "/etc/icgpu/ssh"
WORKSPACE = "/workspace"
TERMINATION_GRACE_SECONDS = 30


def _meta(ctx: RenderContext) -> Manifest:
    return {"name": ctx.name, "namespace": ctx.namespace, "labels": dict(ctx.labels)}


class InstanceRenderer:
    kind = WorkloadKind.INSTANCE
    status_type = ObjectType("", "v1", "pods", "Pod")

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        return [self.secret(spec, ctx), self.volume(spec, ctx), self.service(ctx), self.pod(spec, ctx)]

    def secret(self, spec: WorkloadSpec, ctx: RenderContext) -> Manifest:
        return {"apiVersion": "v1", "kind": "Secret", "metadata": _meta(ctx), "type": "Opaque",
                "stringData": {"authorized_keys": spec.authorized_keys}}

    def volume(self, spec: WorkloadSpec, ctx: RenderContext) -> Manifest:
        return {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(ctx),
            "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem",
                     "resources": {"requests": {"storage": f"{spec.storage_gb}Gi"}}},
        }

    def service(self, ctx: RenderContext) -> Manifest:
        return {
            "apiVersion": "v1", "kind": "Service", "metadata": _meta(ctx),
            "spec": {"type": "ClusterIP",
                     "selector": {MANAGED_BY: ctx.labels[MANAGED_BY], WORKLOAD_LABEL: ctx.labels[WORKLOAD_LABEL]},
                     "ports": [{"name": "ssh", "port": SSH_PORT, "targetPort": "ssh", "protocol": "TCP"}]},
        }

    def pod(self, spec: WorkloadSpec, ctx: RenderContext) -> Manifest:
        gpu = {ctx.gpu_resource: "1"}
        return {
            "apiVersion": "v1", "kind": "Pod", "metadata": _meta(ctx),
            "spec": {
                "priorityClassName": ctx.priority_class,
                "nodeSelector": {TIER_LABEL: spec.tier},
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
                "enableServiceLinks": False,
                "automountServiceAccountToken": False,
                "containers": [{
                    "name": "instance",
                    "image": IMAGE,
                    "ports": [{"name": "ssh", "containerPort": SSH_PORT, "protocol": "TCP"}],
                    "resources": {"requests": dict(gpu), "limits": dict(gpu)},
                    "volumeMounts": [
                        {"name": "authorized-keys", "mountPath": KEYS_DIR, "readOnly": True},
                        {"name": "workspace", "mountPath": WORKSPACE},
                    ],
                }],
                "volumes": [
                    {"name": "authorized-keys",
                     "secret": {"secretName": ctx.name, "defaultMode": 0o444,
                                "items": [{"key": "authorized_keys", "path": "authorized_keys"}]}},
                    {"name": "workspace", "persistentVolumeClaim": {"claimName": ctx.name}},
                ],
            },
        }

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        obs = pod_observation(status_object)
        if obs.phase in (Phase.STARTING, Phase.RUNNING):
            return replace(obs, host=f"{ctx.name}.{ctx.namespace}.svc", port=SSH_PORT)
        return obs
