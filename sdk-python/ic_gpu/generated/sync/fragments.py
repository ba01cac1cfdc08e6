from datetime import datetime
from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import (
    ClusterStatus,
    FunctionRunStatus,
    InstanceStatus,
    NotifyVia,
    SlurmEnvironmentStatus,
    TeamRole,
    VmDiskStatus,
    VmStatus,
    WorkloadType,
)


class AccountFields(BaseModel):
    id: str
    email: str
    role: str


class ApiKeyFields(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    permissions: list[str]
    created_at: datetime = Field(alias="createdAt")
    last_used_at: Optional[datetime] = Field(alias="lastUsedAt")
    expires_at: Optional[datetime] = Field(alias="expiresAt")
    revoked_at: Optional[datetime] = Field(alias="revokedAt")


class CatalogueModelFields(BaseModel):
    alias: str
    huggingface_id: str = Field(alias="huggingfaceId")
    engine: str
    resource_profile: str = Field(alias="resourceProfile")
    gpu_tier: Optional[str] = Field(alias="gpuTier")
    context_length: int = Field(alias="contextLength")
    token_multiplier: float = Field(alias="tokenMultiplier")
    kind: str
    description: str


class ClusterFields(BaseModel):
    id: str
    name: str
    version: str
    status: ClusterStatus
    status_reason: Optional[str] = Field(alias="statusReason")
    team_id: Optional[str] = Field(alias="teamId")
    server_url: Optional[str] = Field(alias="serverUrl")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    terminated_at: Optional[datetime] = Field(alias="terminatedAt")
    owner: Optional["ClusterFieldsOwner"]


class ClusterFieldsOwner(AccountFields):
    pass


class EventFields(BaseModel):
    id: str
    type_: str = Field(alias="type")
    resource_type: str = Field(alias="resourceType")
    resource_id: str = Field(alias="resourceId")
    data: Any
    created_at: datetime = Field(alias="createdAt")


class FirewallRuleFields(BaseModel):
    id: str
    network_id: str = Field(alias="networkId")
    direction: str
    protocol: str
    port_range: Optional[str] = Field(alias="portRange")
    source: str
    action: str
    description: str
    created_at: datetime = Field(alias="createdAt")


class FunctionRunFields(BaseModel):
    id: str
    function_id: str = Field(alias="functionId")
    status: FunctionRunStatus
    status_reason: Optional[str] = Field(alias="statusReason")
    input: Any
    output: Optional[Any]
    error: Optional[str]
    logs: Optional[str]
    exit_code: Optional[int] = Field(alias="exitCode")
    gpu_tier: str = Field(alias="gpuTier")
    timeout_seconds: int = Field(alias="timeoutSeconds")
    price_per_hour: float = Field(alias="pricePerHour")
    duration_seconds: Optional[float] = Field(alias="durationSeconds")
    cost: Optional[float]
    account_id: str = Field(alias="accountId")
    team_id: Optional[str] = Field(alias="teamId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    started_at: Optional[datetime] = Field(alias="startedAt")
    finished_at: Optional[datetime] = Field(alias="finishedAt")


class GpuFunctionFields(BaseModel):
    id: str
    name: str
    image: str
    entrypoint: str
    gpu_tier: str = Field(alias="gpuTier")
    timeout_seconds: int = Field(alias="timeoutSeconds")
    env_vars: Any = Field(alias="envVars")
    secret_env_var_names: list[str] = Field(alias="secretEnvVarNames")
    team_id: Optional[str] = Field(alias="teamId")
    status: str
    price_per_hour: float = Field(alias="pricePerHour")
    account_id: str = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    deleted_at: Optional[datetime] = Field(alias="deletedAt")


class GpuTierFields(BaseModel):
    id: str
    name: str
    isolation: str
    description: str
    gpu_memory_gb: int = Field(alias="gpuMemoryGb")
    price_per_hour: float = Field(alias="pricePerHour")
    batch_price_per_hour: float = Field(alias="batchPricePerHour")
    capacity: Optional[int]
    available: Optional[int]


class InstanceFields(BaseModel):
    id: str
    name: str
    tier: str
    workload_type: WorkloadType = Field(alias="workloadType")
    storage_gb: int = Field(alias="storageGb")
    ssh_key: Optional[str] = Field(alias="sshKey")
    ssh_key_group: Optional[str] = Field(alias="sshKeyGroup")
    team_id: Optional[str] = Field(alias="teamId")
    status: InstanceStatus
    status_reason: Optional[str] = Field(alias="statusReason")
    ssh_host: Optional[str] = Field(alias="sshHost")
    ssh_port: Optional[int] = Field(alias="sshPort")
    hourly_price: float = Field(alias="hourlyPrice")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    terminated_at: Optional[datetime] = Field(alias="terminatedAt")
    auto_stop_after_minutes: Optional[int] = Field(alias="autoStopAfterMinutes")
    auto_stop_at: Optional[datetime] = Field(alias="autoStopAt")
    tier_info: "InstanceFieldsTierInfo" = Field(alias="tierInfo")
    owner: Optional["InstanceFieldsOwner"]


class InstanceFieldsTierInfo(GpuTierFields):
    pass


class InstanceFieldsOwner(AccountFields):
    pass


class InstanceStatusEventFields(BaseModel):
    instance_id: str = Field(alias="instanceId")
    status: InstanceStatus
    previous_status: Optional[InstanceStatus] = Field(alias="previousStatus")
    reason: Optional[str]
    at: datetime


class KubeconfigFields(BaseModel):
    cluster_id: str = Field(alias="clusterId")
    context: str
    namespace: str
    server_url: str = Field(alias="serverUrl")
    certificate_authority_data: str = Field(alias="certificateAuthorityData")
    token: Optional[str]
    client_certificate_data: Optional[str] = Field(alias="clientCertificateData")
    client_key_data: Optional[str] = Field(alias="clientKeyData")
    kubeconfig: str


class ModelDeploymentFields(BaseModel):
    id: str
    name: str
    model: str
    engine: str
    kind: str
    min_replicas: int = Field(alias="minReplicas")
    max_replicas: int = Field(alias="maxReplicas")
    resource_profile: str = Field(alias="resourceProfile")
    gpu_tier: Optional[str] = Field(alias="gpuTier")
    status: str
    status_reason: Optional[str] = Field(alias="statusReason")
    desired_replicas: int = Field(alias="desiredReplicas")
    ready_replicas: int = Field(alias="readyReplicas")
    upstream: str
    huggingface_token_set: bool = Field(alias="huggingfaceTokenSet")
    team_id: Optional[str] = Field(alias="teamId")
    account_id: str = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    deleted_at: Optional[datetime] = Field(alias="deletedAt")


class NotificationFields(BaseModel):
    id: str
    type_: str = Field(alias="type")
    alert_id: Optional[str] = Field(alias="alertId")
    message: str
    data: Any
    created_at: datetime = Field(alias="createdAt")


class QuotasFields(BaseModel):
    storage: "QuotasFieldsStorage"
    gpus: "QuotasFieldsGpus"


class QuotasFieldsStorage(BaseModel):
    limit_gb: int = Field(alias="limitGb")
    used_gb: int = Field(alias="usedGb")
    remaining_gb: int = Field(alias="remainingGb")


class QuotasFieldsGpus(BaseModel):
    limit: int
    used: int
    remaining: int
    by_family: list["QuotasFieldsGpusByFamily"] = Field(alias="byFamily")


class QuotasFieldsGpusByFamily(BaseModel):
    family: str
    used: int


class SlurmEnvironmentFields(BaseModel):
    id: str
    name: str
    max_nodes: int = Field(alias="maxNodes")
    gpu_per_node: int = Field(alias="gpuPerNode")
    gpu_tier: str = Field(alias="gpuTier")
    total_gpus: int = Field(alias="totalGpus")
    gpus_placed: int = Field(alias="gpusPlaced")
    team_id: Optional[str] = Field(alias="teamId")
    status: SlurmEnvironmentStatus
    status_reason: Optional[str] = Field(alias="statusReason")
    ssh_host: Optional[str] = Field(alias="sshHost")
    ssh_port: Optional[int] = Field(alias="sshPort")
    ssh_user: Optional[str] = Field(alias="sshUser")
    hourly_price: float = Field(alias="hourlyPrice")
    account_id: str = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    terminated_at: Optional[datetime] = Field(alias="terminatedAt")


class SpendingAlertFields(BaseModel):
    id: str
    name: str
    threshold: int
    notify_via: NotifyVia = Field(alias="notifyVia")
    armed: bool
    last_fired_at: Optional[datetime] = Field(alias="lastFiredAt")
    account_id: str = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")


class SshKeyFields(BaseModel):
    id: str
    name: str
    public_key: str = Field(alias="publicKey")
    fingerprint: str
    key_type: str = Field(alias="keyType")
    bits: int
    created_at: datetime = Field(alias="createdAt")


class SshKeyGroupFields(BaseModel):
    id: str
    name: str
    description: str
    created_at: datetime = Field(alias="createdAt")
    keys: list["SshKeyGroupFieldsKeys"]


class SshKeyGroupFieldsKeys(SshKeyFields):
    pass


class SubnetFields(BaseModel):
    id: str
    network_id: str = Field(alias="networkId")
    name: str
    cidr: str
    created_at: datetime = Field(alias="createdAt")


class TeamFields(BaseModel):
    id: str
    name: str
    description: str
    created_by: str = Field(alias="createdBy")
    created_at: datetime = Field(alias="createdAt")
    role: Optional[TeamRole]


class TeamMemberFields(BaseModel):
    id: str
    team_id: str = Field(alias="teamId")
    account_id: str = Field(alias="accountId")
    email: str
    role: TeamRole
    created_at: datetime = Field(alias="createdAt")


class TeamMembershipFields(BaseModel):
    role: TeamRole
    team: "TeamMembershipFieldsTeam"


class TeamMembershipFieldsTeam(TeamFields):
    pass


class TenantFields(BaseModel):
    id: str
    name: str


class TokenBalanceFields(BaseModel):
    balance: float
    reserved: float
    available: float
    updated_at: Optional[datetime] = Field(alias="updatedAt")


class TokenPackageFields(BaseModel):
    id: str
    name: str
    tokens: int
    price: float
    currency: str
    price_per_million: float = Field(alias="pricePerMillion")


class TokenPurchaseFields(BaseModel):
    id: str
    kind: str
    amount: int
    package_id: Optional[str] = Field(alias="packageId")
    price: Optional[float]
    currency: str
    balance: float
    account_id: Optional[str] = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")


class TokenUsageFields(BaseModel):
    id: str
    model: str
    prompt_tokens: int = Field(alias="promptTokens")
    completion_tokens: int = Field(alias="completionTokens")
    multiplier: float
    charged: int
    request_id: Optional[str] = Field(alias="requestId")
    api_key_id: Optional[str] = Field(alias="apiKeyId")
    account_id: Optional[str] = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")


class ViewerFields(BaseModel):
    id: str
    email: str
    role: str
    credential_type: str = Field(alias="credentialType")
    api_key_id: Optional[str] = Field(alias="apiKeyId")
    scopes: list[str]
    permissions: list[str]
    tenant: "ViewerFieldsTenant"
    teams: list["ViewerFieldsTeams"]


class ViewerFieldsTenant(TenantFields):
    pass


class ViewerFieldsTeams(TeamMembershipFields):
    pass


class VmDiskFields(BaseModel):
    id: str
    name: str
    size_gb: int = Field(alias="sizeGb")
    status: VmDiskStatus
    vm_id: Optional[str] = Field(alias="vmId")
    team_id: Optional[str] = Field(alias="teamId")
    account_id: str = Field(alias="accountId")
    attached_at: Optional[datetime] = Field(alias="attachedAt")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    deleted_at: Optional[datetime] = Field(alias="deletedAt")


class VmFields(BaseModel):
    id: str
    name: str
    template_id: str = Field(alias="templateId")
    cpu: int
    memory_gb: int = Field(alias="memoryGb")
    disk_gb: int = Field(alias="diskGb")
    gpu_tier: Optional[str] = Field(alias="gpuTier")
    ssh_key: Optional[str] = Field(alias="sshKey")
    ssh_key_group: Optional[str] = Field(alias="sshKeyGroup")
    team_id: Optional[str] = Field(alias="teamId")
    status: VmStatus
    status_reason: Optional[str] = Field(alias="statusReason")
    ssh_host: Optional[str] = Field(alias="sshHost")
    ssh_port: Optional[int] = Field(alias="sshPort")
    auto_stop_after_minutes: Optional[int] = Field(alias="autoStopAfterMinutes")
    auto_stop_at: Optional[datetime] = Field(alias="autoStopAt")
    account_id: str = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    terminated_at: Optional[datetime] = Field(alias="terminatedAt")


class VmNetworkAttachmentFields(BaseModel):
    vm_id: str = Field(alias="vmId")
    network_id: str = Field(alias="networkId")
    name: str
    subnet_id: str = Field(alias="subnetId")
    cidr: str
    ip_address: str = Field(alias="ipAddress")
    created_at: datetime = Field(alias="createdAt")


class VmNetworkFields(BaseModel):
    id: str
    name: str
    description: str
    team_id: Optional[str] = Field(alias="teamId")
    account_id: str = Field(alias="accountId")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")


class VmTemplateFields(BaseModel):
    id: str
    name: str
    description: str
    os: str
    gpu: bool
    gpu_tier: Optional[str] = Field(alias="gpuTier")
    default_cpu: int = Field(alias="defaultCpu")
    max_cpu: int = Field(alias="maxCpu")
    default_memory_gb: int = Field(alias="defaultMemoryGb")
    max_memory_gb: int = Field(alias="maxMemoryGb")
    default_disk_gb: int = Field(alias="defaultDiskGb")
    min_disk_gb: int = Field(alias="minDiskGb")
    max_disk_gb: int = Field(alias="maxDiskGb")


AccountFields.model_rebuild()
ApiKeyFields.model_rebuild()
CatalogueModelFields.model_rebuild()
ClusterFields.model_rebuild()
EventFields.model_rebuild()
FirewallRuleFields.model_rebuild()
FunctionRunFields.model_rebuild()
GpuFunctionFields.model_rebuild()
GpuTierFields.model_rebuild()
InstanceFields.model_rebuild()
InstanceStatusEventFields.model_rebuild()
KubeconfigFields.model_rebuild()
ModelDeploymentFields.model_rebuild()
NotificationFields.model_rebuild()
QuotasFields.model_rebuild()
SlurmEnvironmentFields.model_rebuild()
SpendingAlertFields.model_rebuild()
SshKeyFields.model_rebuild()
SshKeyGroupFields.model_rebuild()
SubnetFields.model_rebuild()
TeamFields.model_rebuild()
TeamMemberFields.model_rebuild()
TeamMembershipFields.model_rebuild()
TenantFields.model_rebuild()
TokenBalanceFields.model_rebuild()
TokenPackageFields.model_rebuild()
TokenPurchaseFields.model_rebuild()
TokenUsageFields.model_rebuild()
ViewerFields.model_rebuild()
VmDiskFields.model_rebuild()
VmFields.model_rebuild()
VmNetworkAttachmentFields.model_rebuild()
VmNetworkFields.model_rebuild()
VmTemplateFields.model_rebuild()
