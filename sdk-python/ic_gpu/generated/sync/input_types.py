from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import NotifyVia, TeamRole, WorkloadType


class AddTeamMemberInput(BaseModel):
    """Add a person to a team: give exactly one of accountId and email."""

    account_id: Optional[str] = Field(alias="accountId", default=None)
    email: Optional[str] = None
    role: TeamRole = TeamRole.MEMBER


class AttachVmNetworkInput(BaseModel):
    """Attach a VM to your network of this name, creating it with the subnet if new."""

    name: str
    cidr: Optional[str] = None


class CreateApiKeyInput(BaseModel):
    name: str
    scopes: list[str]
    permissions: list[str] = Field(default_factory=lambda: ["read"])
    expires_in_days: Optional[int] = Field(alias="expiresInDays", default=None)


class CreateClusterInput(BaseModel):
    """A new virtual Kubernetes cluster."""

    name: str
    version: str = "1.31"
    "one of clusterVersions"
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the cluster with this team"


class CreateFirewallRuleInput(BaseModel):
    """A new firewall rule."""

    direction: str
    protocol: str
    source: str
    action: str
    port_range: Optional[str] = Field(alias="portRange", default=None)
    description: str = ""


class CreateFunctionInput(BaseModel):
    """A new GPU function."""

    name: str
    image: str
    entrypoint: str
    gpu_tier: str = Field(alias="gpuTier", default="timesliced")
    timeout_seconds: int = Field(alias="timeoutSeconds", default=300)
    env_vars: Optional[Any] = Field(alias="envVars", default=None)
    "name -> value"
    secret_env_vars: Optional[Any] = Field(alias="secretEnvVars", default=None)
    "name -> value; write-only: set in each run, never returned"
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the function with this team"


class CreateInstanceInput(BaseModel):
    """A new GPU instance."""

    name: str
    tier: str
    ssh_key: Optional[str] = Field(alias="sshKey", default=None)
    storage_gb: int = Field(alias="storageGb", default=50)
    workload_type: WorkloadType = Field(
        alias="workloadType", default=WorkloadType.INTERACTIVE
    )
    ssh_key_group: Optional[str] = Field(alias="sshKeyGroup", default=None)
    "grant every key in this group"
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the instance with this team"
    auto_stop_after_minutes: Optional[int] = Field(
        alias="autoStopAfterMinutes", default=None
    )
    "stop the instance after it has run this many minutes"


class CreateSlurmEnvironmentInput(BaseModel):
    """A new Slurm environment."""

    name: str
    max_nodes: int = Field(alias="maxNodes")
    gpu_per_node: int = Field(alias="gpuPerNode")
    gpu_tier: str = Field(alias="gpuTier", default="dedicated")
    "the GPU tier of every node"
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the environment with this team"


class CreateSpendingAlertInput(BaseModel):
    """A new spending alert."""

    name: str
    threshold: int
    notify_via: Optional[NotifyVia] = Field(alias="notifyVia", default=None)


class CreateSshKeyGroupInput(BaseModel):
    name: str
    description: str = ""


class CreateSubnetInput(BaseModel):
    """A new subnet: a private CIDR block that overlaps no other subnet of the network."""

    name: str
    cidr: str


class CreateTeamInput(BaseModel):
    name: str
    description: str = ""


class CreateVmDiskInput(BaseModel):
    """A new persistent disk."""

    name: str
    size_gb: int = Field(alias="sizeGb")
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the disk with this team"


class CreateVmInput(BaseModel):
    """A new VM; cpu, memoryGb and diskGb default to the template's."""

    name: str
    template_id: str = Field(alias="templateId")
    cpu: Optional[int] = None
    memory_gb: Optional[int] = Field(alias="memoryGb", default=None)
    disk_gb: Optional[int] = Field(alias="diskGb", default=None)
    ssh_key: Optional[str] = Field(alias="sshKey", default=None)
    ssh_key_group: Optional[str] = Field(alias="sshKeyGroup", default=None)
    "grant every key in this group"
    gpu_tier: Optional[str] = Field(alias="gpuTier", default=None)
    "override the template's GPU tier"
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the VM with this team"
    auto_stop_after_minutes: Optional[int] = Field(
        alias="autoStopAfterMinutes", default=None
    )
    "stop the VM this many minutes after it starts running"


class CreateVmNetworkInput(BaseModel):
    """A new VM network."""

    name: str
    description: str = ""
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the network with this team"


class DeployModelInput(BaseModel):
    """A new model deployment."""

    name: str
    model: str
    "The Hugging Face id, e.g. meta-llama/Llama-3.1-8B-Instruct."
    engine: str = "vllm"
    kind: Optional[str] = None
    "chat or embedding (default: the catalogue's kind for the model, else chat)"
    min_replicas: int = Field(alias="minReplicas", default=0)
    max_replicas: int = Field(alias="maxReplicas", default=1)
    resource_profile: str = Field(
        alias="resourceProfile", default="nvidia-gpu-timesliced"
    )
    huggingface_token: Optional[str] = Field(alias="huggingfaceToken", default=None)
    "Write-only: stored encrypted, never returned."
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "Share the deployment with this team."


class PurchaseTokensInput(BaseModel):
    """Give amount or packageId, one of the two."""

    amount: Optional[int] = None
    "Tokens to add to the balance."
    package_id: Optional[str] = Field(alias="packageId", default=None)
    "Buy one package of tokenPackages."


class ScaleModelInput(BaseModel):
    """New replica bounds; a bound not given keeps its value."""

    min_replicas: Optional[int] = Field(alias="minReplicas", default=None)
    max_replicas: Optional[int] = Field(alias="maxReplicas", default=None)


class UpdateFunctionInput(BaseModel):
    """What can change on a function; a map given replaces the old one."""

    name: Optional[str] = None
    image: Optional[str] = None
    entrypoint: Optional[str] = None
    gpu_tier: Optional[str] = Field(alias="gpuTier", default=None)
    timeout_seconds: Optional[int] = Field(alias="timeoutSeconds", default=None)
    env_vars: Optional[Any] = Field(alias="envVars", default=None)
    secret_env_vars: Optional[Any] = Field(alias="secretEnvVars", default=None)
    "write-only; {} removes them all"


class UpdateInstanceInput(BaseModel):
    """What can change in place on an instance."""

    name: Optional[str] = None
    "a new name, unique among your live instances"


class UpdateSpendingAlertInput(BaseModel):
    """What to change: any of name, threshold, notifyVia."""

    name: Optional[str] = None
    threshold: Optional[int] = None
    notify_via: Optional[NotifyVia] = Field(alias="notifyVia", default=None)


class UpdateVmInput(BaseModel):
    """What can change in place on a VM."""

    name: Optional[str] = None
    auto_stop_after_minutes: Optional[int] = Field(
        alias="autoStopAfterMinutes", default=None
    )
    "minutes before a running VM is stopped; null turns auto-stop off"


class UploadSshKeyInput(BaseModel):
    name: str
    public_key: str = Field(alias="publicKey")
