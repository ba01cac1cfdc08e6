"""A Slurm environment's GPUs: node 0 is the head, a StatefulSet of one pod behind a headless Service;
every other node is a GPU worker Pod.

An environment's workloads are ``<environment id>.<n>`` (``services/slurm.py``: one per GPU, ``.0`` on
the head node). Every pod carries the environment's label besides the workload's, and the head's
headless Service, named after the environment, selects by it, so each node of the environment has a
stable DNS name under it: ``<head name>-0.<environment>.<namespace>.svc`` for the head (the
StatefulSet's pod), ``<worker name>.<environment>.<namespace>.svc`` for a worker (hostname and
subdomain). The head pod runs slurmctld
(port 6817) and sshd (22); workers run slurmd (6818). Each pod holds one unit of the tier's GPU
resource, so the scheduler places the environment GPU by GPU, as the local simulator does. The
environment, the node's number and the image the nodes run come from the spec's ``SlurmNodeDetails``
(the image is the platform's node image unless a spec names another); a spec without them is refused
(``WorkloadRefused``).

The status object of every node is its pod: a worker's is the Pod ``<name>`` it renders, the head's
the StatefulSet's pod ``<name>-0`` (``status_name`` says which; the StatefulSet's template carries the
workload's labels, so a pod watch by label sees it too).
"""

from __future__ import annotations

from dataclasses import replace

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import SlurmNodeDetails, WorkloadRefused, require
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.pods import pod_observation
from icgpu.provisioning.kubernetes.resources import POD
from icgpu.provisioning.kubernetes.workload_pods import SERVICE, gpu_container, metadata, pod_spec

STATEFUL_SET = ObjectType("apps", "v1", "statefulsets", "StatefulSet")
ENVIRONMENT_LABEL = "icgpu.dev/slurm-environment"
ROLE_LABEL = "icgpu.dev/slurm-role"
HEAD_PORTS = {"ssh": 22, "slurmctld": 6817}
WORKER_PORTS = {"slurmd": 6818}


def environment_of(workload_id: str) -> tuple[str, int]:
    """(environment id, node number) of a Slurm workload id ``<environment id>.<n>``."""
    environment, _, number = workload_id.rpartition(".")
    if not environment or not number.isdigit():
        raise ValueError(f"not a Slurm node workload id: {workload_id!r}")
    return environment, int(number)


def is_head(workload_id: str) -> bool:
    return environment_of(workload_id)[1] == 0


def service_name(environment: str) -> str:
    """The headless Service of an environment (ids are lower-case letters, digits and dashes: a DNS label)."""
    return environment.lower()


class SlurmNodeRenderer:
    kind = WorkloadKind.SLURM_NODE
    status_type = POD

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        details = require(spec.details, SlurmNodeDetails, spec.instance_id)
        if environment_of(spec.instance_id) != (details.environment_id, details.node):
            raise WorkloadRefused(f"Slurm workload {spec.instance_id} carries the details of node {details.node} "
                             f"of {details.environment_id}")
        environment = details.environment_id
        if details.head:
            return self._head(ctx, environment, details.image)
        labels = {ENVIRONMENT_LABEL: environment, ROLE_LABEL: "worker"}
        return [{
            "apiVersion": POD.api_version, "kind": POD.kind, "metadata": metadata(ctx, labels=labels),
            "spec": pod_spec(ctx, gpu_container(ctx, details.image, ports=WORKER_PORTS), restart_policy="Always",
                             hostname=ctx.name, subdomain=service_name(environment)),
        }]

    def _head(self, ctx: RenderContext, environment: str, image: str) -> list[Manifest]:
        labels = {ENVIRONMENT_LABEL: environment, ROLE_LABEL: "head"}
        service: Manifest = {
            "apiVersion": SERVICE.api_version, "kind": SERVICE.kind,
            "metadata": metadata(ctx, service_name(environment), labels),
            "spec": {
                "clusterIP": "None",
                "selector": {ENVIRONMENT_LABEL: environment},
                # Workers resolve the head (and each other) before they report ready.
                "publishNotReadyAddresses": True,
                "ports": [{"name": name, "port": port, "targetPort": port, "protocol": "TCP"}
                          for name, port in HEAD_PORTS.items()],
            },
        }
        template_labels = {**ctx.labels, **labels}
        stateful_set: Manifest = {
            "apiVersion": STATEFUL_SET.api_version, "kind": STATEFUL_SET.kind, "metadata": metadata(ctx, labels=labels),
            "spec": {
                "replicas": 1,
                "serviceName": service_name(environment),
                "selector": {"matchLabels": dict(ctx.labels)},
                "podManagementPolicy": "Parallel",
                "template": {
                    "metadata": {"labels": template_labels},
                    "spec": pod_spec(ctx, gpu_container(ctx, image, ports=HEAD_PORTS), restart_policy="Always"),
                },
            },
        }
        return [service, stateful_set]

    def status_name(self, workload_id: str, ctx: RenderContext) -> str:
        """The name of the node's pod: the head's is made by its StatefulSet (``<name>-0``)."""
        return f"{ctx.name}-0" if is_head(workload_id) else ctx.name

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        """The node's pod; the head is reached by SSH at its DNS name under the headless Service."""
        obs = pod_observation(status_object)
        meta = (status_object or {}).get("metadata") or {}
        labels = meta.get("labels") or {}
        if labels.get(ROLE_LABEL) != "head" or obs.phase not in (Phase.STARTING, Phase.RUNNING):
            return obs
        host = f"{meta.get('name')}.{service_name(labels[ENVIRONMENT_LABEL])}.{ctx.namespace}.svc"
        return replace(obs, host=host, port=HEAD_PORTS["ssh"])
