"""What each kind of workload needs besides a GPU slot, for a provisioner that renders real objects.

``WorkloadSpec.details`` (base.py) carries one of these for the kinds whose objects need more than the
tier, priority, storage and keys: the worker that builds the spec fills it in from the row it acts
for (a VM, a function run's function, a model deployment, a Slurm environment). The local simulator
ignores them (one GPU slot each, whatever the kind); the Kubernetes provisioner's renderers put them
in the objects, and refuse a workload whose details are missing or cannot be expressed
(``WorkloadRefused``) rather than render a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

# The image Slurm nodes run (slurmctld + sshd on the head, slurmd on workers): the platform's, not the
# tenant's, so every environment has the same one.
SLURM_NODE_IMAGE = "ghcr.io/ic-gpu/slurm-node:24.05"

D = TypeVar("D")


class WorkloadRefused(ValueError):
    """A provisioner cannot run the workload as specified (its details are missing, or ask for what
    the provisioner has no way to provide); the message says why and reaches the owner's status."""


@dataclass(frozen=True)
class VmDetails:
    """A VM's own size and image, the private networks it is attached to (the Kubernetes provisioner
    labels the VM's pod ``net.icgpu.dev/<network id>`` for each: network_policy.py) and the persistent
    disks attached to it (``vm_disks``: the VM mounts each disk's own claim, which outlives the VM)."""

    cpu: int
    memory_gb: int
    template_id: str  # services/vm_templates.py
    os: str  # the template's operating system image (ubuntu-22.04): what the boot disk holds
    network_ids: tuple[str, ...] = ()
    disk_ids: tuple[str, ...] = ()  # sorted, so a spec with the same disks is the same spec
    # The size of the OS image's root disk (the template's ``min_disk_gb``: a boot disk cannot be
    # smaller); None: the provisioner's default. Where the root disk is imported into a volume of its
    # own (kubernetes/vm.py with CDI), the volume's size.
    root_disk_gb: int | None = None


@dataclass(frozen=True)
class FunctionRunDetails:
    """What a run executes, and what it is given: its plain env vars, and (filled in by the runner when
    the provisioner runs functions itself: kubernetes/function_run.py puts them in a Secret of the run's
    own, never in the Job) the function's unsealed secret env values and the run's input as JSON.
    ``secret_env`` is left out of the repr, so a logged spec cannot show a value."""

    image: str
    command: tuple[str, ...]  # the entrypoint, split as a shell would (shlex)
    timeout_seconds: int
    env: tuple[tuple[str, str], ...] = ()  # plain env vars, sorted by name (hashable: the spec is frozen)
    secret_env: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # sorted by name, like env
    input_json: str | None = None  # the run's input, as the local executor writes it on stdin
    function_id: str | None = None  # set as ICGPU_FUNCTION_ID (the run id is the workload id)


@dataclass(frozen=True)
class ModelReplicaDetails:
    """What a replica of a model deployment serves."""

    model: str  # the Hugging Face id (org/name)
    engine: str  # vllm | sglang | ollama (the project's names)
    kind: str = "chat"  # chat | embedding
    # The deployment's Hugging Face token, for a provisioner that serves the model itself (kubernetes/
    # model_replica.py puts it in a Secret of the replica's own, never in the Model); left out of the repr.
    hf_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SlurmNodeDetails:
    """A node of a Slurm environment: node 0 is the head (slurmctld + sshd), the others workers."""

    environment_id: str
    node: int
    image: str = SLURM_NODE_IMAGE  # a true default: the platform ships one node image

    @property
    def head(self) -> bool:
        return self.node == 0


WorkloadDetails = VmDetails | FunctionRunDetails | ModelReplicaDetails | SlurmNodeDetails


def sorted_env(env: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """Plain env vars as the frozen spec holds them: (name, value as text), sorted by name."""
    return tuple(sorted((str(k), str(v)) for k, v in env.items()))



def require(details: object, expected: type[D], workload_id: str) -> D:
    """The spec's details as the kind needs them; a workload built without them is refused by name
    (a worker forgot to fill them in: rendering a placeholder instead would run the wrong thing)."""
    if not isinstance(details, expected):
        got = "none" if details is None else type(details).__name__
        raise WorkloadRefused(f"workload {workload_id} carries no {expected.__name__} (got {got}): "
                              "its objects cannot be rendered without them")
    return details
