/** @ic-gpu/client: the IC GPU API from TypeScript (Node 18+, Bun, Deno, browsers). */

export { ICGPU, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type ClientOptions } from "./client.js";
export {
  APIConnectionError,
  APIError,
  APITimeoutError,
  AuthenticationError,
  ConflictError,
  ICGPUError,
  InsufficientTokensError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SecretUnavailableError,
  ServiceUnavailableError,
  ValidationError,
  type APIErrorInit,
} from "./errors.js";
export { PageIterator, type Page } from "./pagination.js";
export type { RequestOptions } from "./transport.js";
export type * from "./types.js";
export type { InstanceCreateParams, InstanceListParams, InstanceUpdateParams, Instances } from "./resources/instances.js";
export type { TeamCreateParams, TeamListParams, TeamMemberAddParams, TeamMemberUpdateParams, Teams } from "./resources/teams.js";
export type { ApiKeyCreateParams, ApiKeys } from "./resources/api-keys.js";
export type { SshKeyCreateParams, SshKeyGenerateParams, SshKeys } from "./resources/ssh-keys.js";
export type { SshKeyGroupCreateParams, SshKeyGroups } from "./resources/ssh-key-groups.js";
export type { EventStreamParams, Events } from "./resources/events.js";
export type { GpuTiers } from "./resources/gpu-tiers.js";
export type {
  SlurmEnvironment,
  SlurmEnvironmentCreateParams,
  SlurmEnvironmentPayload,
  SlurmEnvironments,
  SlurmWaitParams,
} from "./resources/slurm-environments.js";
export type { Cluster, ClusterCreateParams, ClusterPayload, Clusters, ClusterWaitParams, Kubeconfig } from "./resources/clusters.js";
export type { VmDisk, VmDiskCreateParams, VmDiskListParams, VmDiskPayload, VmDisks } from "./resources/vm-disks.js";
export type { VmTemplate, VmTemplates } from "./resources/vm-templates.js";
export type {
  Vm,
  VmAttachNetworkParams,
  VmCreateParams,
  VmListParams,
  VmNetworkAttachment,
  VmNetworkAttachmentPayload,
  VmPayload,
  Vms,
  VmStatus,
  VmUpdateParams,
  VmWaitParams,
} from "./resources/vms.js";
export type {
  FirewallRule,
  FirewallRuleCreateParams,
  FirewallRulePayload,
  Subnet,
  SubnetCreateParams,
  SubnetPayload,
  VmNetwork,
  VmNetworkCreateParams,
  VmNetworkPayload,
  VmNetworks,
} from "./resources/vm-networks.js";
export type { Quotas, QuotasResource } from "./resources/quotas.js";
export type {
  FunctionCreateParams,
  FunctionRun,
  FunctionRunInput,
  FunctionRunListParams,
  FunctionRunPayload,
  FunctionRunStatus,
  FunctionRunWaitParams,
  Functions,
  FunctionUpdateParams,
  GpuFunction,
  GpuFunctionPayload,
} from "./resources/functions.js";
export type {
  CatalogueModel,
  ModelDeployment,
  ModelDeploymentPayload,
  ModelDeployments,
  ModelDeployParams,
  ModelScaleParams,
} from "./resources/model-deployments.js";
export type {
  TokenBalance,
  TokenPackage,
  TokenPurchaseParams,
  TokenPurchasePayload,
  Tokens,
  TokenUsage,
  TokenUsageParams,
} from "./resources/tokens.js";
export type {
  NotifyVia,
  SpendingAlert,
  SpendingAlertCreateParams,
  SpendingAlertPayload,
  SpendingAlerts,
  SpendingAlertUpdateParams,
} from "./resources/spending-alerts.js";
export type { Notification, Notifications } from "./resources/notifications.js";
export type { ChatCompletion, ChatCompletionChunk, ChatMessage, EmbeddingList, Llm, LlmModel, LlmReply } from "./resources/llm.js";
