from .add_ssh_key_to_group import (
    AddSshKeyToGroup,
    AddSshKeyToGroupAddSshKeyToGroup,
    AddSshKeyToGroupAddSshKeyToGroupSshKeyGroup,
)
from .add_team_member import (
    AddTeamMember,
    AddTeamMemberAddTeamMember,
    AddTeamMemberAddTeamMemberMember,
)
from .async_base_client import AsyncBaseClient
from .attach_vm_disk import (
    AttachVmDisk,
    AttachVmDiskAttachVmDisk,
    AttachVmDiskAttachVmDiskVmDisk,
)
from .attach_vm_network import (
    AttachVmNetwork,
    AttachVmNetworkAttachVmNetwork,
    AttachVmNetworkAttachVmNetworkVmNetwork,
)
from .base_model import BaseModel, Upload
from .cancel_function_run import (
    CancelFunctionRun,
    CancelFunctionRunCancelFunctionRun,
    CancelFunctionRunCancelFunctionRunRun,
)
from .client import AsyncGeneratedClient
from .create_api_key import (
    CreateApiKey,
    CreateApiKeyCreateApiKey,
    CreateApiKeyCreateApiKeyApiKey,
)
from .create_cluster import (
    CreateCluster,
    CreateClusterCreateCluster,
    CreateClusterCreateClusterCluster,
)
from .create_firewall_rule import (
    CreateFirewallRule,
    CreateFirewallRuleCreateFirewallRule,
    CreateFirewallRuleCreateFirewallRuleFirewallRule,
)
from .create_function import (
    CreateFunction,
    CreateFunctionCreateFunction,
    CreateFunctionCreateFunctionFunction,
)
from .create_instance import (
    CreateInstance,
    CreateInstanceCreateInstance,
    CreateInstanceCreateInstanceInstance,
)
from .create_slurm_environment import (
    CreateSlurmEnvironment,
    CreateSlurmEnvironmentCreateSlurmEnvironment,
    CreateSlurmEnvironmentCreateSlurmEnvironmentSlurmEnvironment,
)
from .create_spending_alert import (
    CreateSpendingAlert,
    CreateSpendingAlertCreateSpendingAlert,
    CreateSpendingAlertCreateSpendingAlertSpendingAlert,
)
from .create_ssh_key_group import (
    CreateSshKeyGroup,
    CreateSshKeyGroupCreateSshKeyGroup,
    CreateSshKeyGroupCreateSshKeyGroupSshKeyGroup,
)
from .create_subnet import (
    CreateSubnet,
    CreateSubnetCreateSubnet,
    CreateSubnetCreateSubnetSubnet,
)
from .create_team import CreateTeam, CreateTeamCreateTeam, CreateTeamCreateTeamTeam
from .create_vm import CreateVm, CreateVmCreateVm, CreateVmCreateVmVm
from .create_vm_disk import (
    CreateVmDisk,
    CreateVmDiskCreateVmDisk,
    CreateVmDiskCreateVmDiskVmDisk,
)
from .create_vm_network import (
    CreateVmNetwork,
    CreateVmNetworkCreateVmNetwork,
    CreateVmNetworkCreateVmNetworkVmNetwork,
)
from .delete_cluster import (
    DeleteCluster,
    DeleteClusterDeleteCluster,
    DeleteClusterDeleteClusterCluster,
)
from .delete_firewall_rule import (
    DeleteFirewallRule,
    DeleteFirewallRuleDeleteFirewallRule,
    DeleteFirewallRuleDeleteFirewallRuleFirewallRule,
)
from .delete_function import (
    DeleteFunction,
    DeleteFunctionDeleteFunction,
    DeleteFunctionDeleteFunctionFunction,
)
from .delete_instance import (
    DeleteInstance,
    DeleteInstanceDeleteInstance,
    DeleteInstanceDeleteInstanceInstance,
)
from .delete_model import (
    DeleteModel,
    DeleteModelDeleteModel,
    DeleteModelDeleteModelModelDeployment,
)
from .delete_slurm_environment import (
    DeleteSlurmEnvironment,
    DeleteSlurmEnvironmentDeleteSlurmEnvironment,
    DeleteSlurmEnvironmentDeleteSlurmEnvironmentSlurmEnvironment,
)
from .delete_spending_alert import (
    DeleteSpendingAlert,
    DeleteSpendingAlertDeleteSpendingAlert,
    DeleteSpendingAlertDeleteSpendingAlertSpendingAlert,
)
from .delete_ssh_key import (
    DeleteSshKey,
    DeleteSshKeyDeleteSshKey,
    DeleteSshKeyDeleteSshKeySshKey,
)
from .delete_ssh_key_group import (
    DeleteSshKeyGroup,
    DeleteSshKeyGroupDeleteSshKeyGroup,
    DeleteSshKeyGroupDeleteSshKeyGroupSshKeyGroup,
)
from .delete_subnet import (
    DeleteSubnet,
    DeleteSubnetDeleteSubnet,
    DeleteSubnetDeleteSubnetSubnet,
)
from .delete_vm import DeleteVm, DeleteVmDeleteVm, DeleteVmDeleteVmVm
from .delete_vm_disk import (
    DeleteVmDisk,
    DeleteVmDiskDeleteVmDisk,
    DeleteVmDiskDeleteVmDiskVmDisk,
)
from .delete_vm_network import (
    DeleteVmNetwork,
    DeleteVmNetworkDeleteVmNetwork,
    DeleteVmNetworkDeleteVmNetworkVmNetwork,
)
from .deploy_model import (
    DeployModel,
    DeployModelDeployModel,
    DeployModelDeployModelModelDeployment,
)
from .detach_vm_disk import (
    DetachVmDisk,
    DetachVmDiskDetachVmDisk,
    DetachVmDiskDetachVmDiskVmDisk,
)
from .detach_vm_network import (
    DetachVmNetwork,
    DetachVmNetworkDetachVmNetwork,
    DetachVmNetworkDetachVmNetworkVmNetwork,
)
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
from .exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
    GraphQLClientInvalidResponseError,
)
from .fragments import (
    AccountFields,
    ApiKeyFields,
    CatalogueModelFields,
    ClusterFields,
    ClusterFieldsOwner,
    EventFields,
    FirewallRuleFields,
    FunctionRunFields,
    GpuFunctionFields,
    GpuTierFields,
    InstanceFields,
    InstanceFieldsOwner,
    InstanceFieldsTierInfo,
    InstanceStatusEventFields,
    KubeconfigFields,
    ModelDeploymentFields,
    NotificationFields,
    QuotasFields,
    QuotasFieldsGpus,
    QuotasFieldsGpusByFamily,
    QuotasFieldsStorage,
    SlurmEnvironmentFields,
    SpendingAlertFields,
    SshKeyFields,
    SshKeyGroupFields,
    SshKeyGroupFieldsKeys,
    SubnetFields,
    TeamFields,
    TeamMemberFields,
    TeamMembershipFields,
    TeamMembershipFieldsTeam,
    TenantFields,
    TokenBalanceFields,
    TokenPackageFields,
    TokenPurchaseFields,
    TokenUsageFields,
    ViewerFields,
    ViewerFieldsTeams,
    ViewerFieldsTenant,
    VmDiskFields,
    VmFields,
    VmNetworkAttachmentFields,
    VmNetworkFields,
    VmTemplateFields,
)
from .generate_ssh_key import (
    GenerateSshKey,
    GenerateSshKeyGenerateSshKey,
    GenerateSshKeyGenerateSshKeySshKey,
)
from .get_api_key import GetApiKey, GetApiKeyApiKey
from .get_cluster import GetCluster, GetClusterCluster
from .get_cluster_kubeconfig import (
    GetClusterKubeconfig,
    GetClusterKubeconfigClusterKubeconfig,
)
from .get_function import GetFunction, GetFunctionFunction
from .get_function_run import GetFunctionRun, GetFunctionRunFunctionRun
from .get_instance import GetInstance, GetInstanceInstance
from .get_model_deployment import GetModelDeployment, GetModelDeploymentModelDeployment
from .get_quotas import GetQuotas, GetQuotasQuotas
from .get_slurm_environment import (
    GetSlurmEnvironment,
    GetSlurmEnvironmentSlurmEnvironment,
)
from .get_spending_alert import GetSpendingAlert, GetSpendingAlertSpendingAlert
from .get_ssh_key import GetSshKey, GetSshKeySshKey
from .get_ssh_key_group import GetSshKeyGroup, GetSshKeyGroupSshKeyGroup
from .get_team import GetTeam, GetTeamTeam
from .get_token_balance import GetTokenBalance, GetTokenBalanceTokenBalance
from .get_viewer import GetViewer, GetViewerViewer
from .get_vm import GetVm, GetVmVm
from .get_vm_disk import GetVmDisk, GetVmDiskVmDisk
from .get_vm_network import GetVmNetwork, GetVmNetworkVmNetwork
from .get_vm_template import GetVmTemplate, GetVmTemplateVmTemplate
from .input_types import (
    AddTeamMemberInput,
    AttachVmNetworkInput,
    CreateApiKeyInput,
    CreateClusterInput,
    CreateFirewallRuleInput,
    CreateFunctionInput,
    CreateInstanceInput,
    CreateSlurmEnvironmentInput,
    CreateSpendingAlertInput,
    CreateSshKeyGroupInput,
    CreateSubnetInput,
    CreateTeamInput,
    CreateVmDiskInput,
    CreateVmInput,
    CreateVmNetworkInput,
    DeployModelInput,
    PurchaseTokensInput,
    ScaleModelInput,
    UpdateFunctionInput,
    UpdateInstanceInput,
    UpdateSpendingAlertInput,
    UpdateVmInput,
    UploadSshKeyInput,
)
from .list_api_keys import ListApiKeys, ListApiKeysApiKeys, ListApiKeysApiKeysItems
from .list_cluster_versions import ListClusterVersions
from .list_clusters import ListClusters, ListClustersClusters, ListClustersClustersItems
from .list_firewall_rules import (
    ListFirewallRules,
    ListFirewallRulesFirewallRules,
    ListFirewallRulesFirewallRulesItems,
)
from .list_function_runs import (
    ListFunctionRuns,
    ListFunctionRunsFunctionRuns,
    ListFunctionRunsFunctionRunsItems,
)
from .list_functions import (
    ListFunctions,
    ListFunctionsFunctions,
    ListFunctionsFunctionsItems,
)
from .list_gpu_tiers import ListGpuTiers, ListGpuTiersGpuTiers
from .list_instances import (
    ListInstances,
    ListInstancesInstances,
    ListInstancesInstancesItems,
)
from .list_model_deployments import (
    ListModelDeployments,
    ListModelDeploymentsModelDeployments,
    ListModelDeploymentsModelDeploymentsItems,
)
from .list_notifications import (
    ListNotifications,
    ListNotificationsNotifications,
    ListNotificationsNotificationsItems,
)
from .list_slurm_environments import (
    ListSlurmEnvironments,
    ListSlurmEnvironmentsSlurmEnvironments,
    ListSlurmEnvironmentsSlurmEnvironmentsItems,
)
from .list_spending_alerts import (
    ListSpendingAlerts,
    ListSpendingAlertsSpendingAlerts,
    ListSpendingAlertsSpendingAlertsItems,
)
from .list_ssh_key_groups import (
    ListSshKeyGroups,
    ListSshKeyGroupsSshKeyGroups,
    ListSshKeyGroupsSshKeyGroupsItems,
)
from .list_ssh_keys import ListSshKeys, ListSshKeysSshKeys, ListSshKeysSshKeysItems
from .list_subnets import ListSubnets, ListSubnetsSubnets, ListSubnetsSubnetsItems
from .list_team_members import (
    ListTeamMembers,
    ListTeamMembersTeamMembers,
    ListTeamMembersTeamMembersItems,
)
from .list_teams import ListTeams, ListTeamsTeams, ListTeamsTeamsItems
from .list_token_packages import ListTokenPackages, ListTokenPackagesTokenPackages
from .list_token_usage import (
    ListTokenUsage,
    ListTokenUsageTokenUsage,
    ListTokenUsageTokenUsageItems,
)
from .list_vm_disks import ListVmDisks, ListVmDisksVmDisks, ListVmDisksVmDisksItems
from .list_vm_network_attachments import (
    ListVmNetworkAttachments,
    ListVmNetworkAttachmentsVmNetworkAttachments,
)
from .list_vm_networks import (
    ListVmNetworks,
    ListVmNetworksVmNetworks,
    ListVmNetworksVmNetworksItems,
)
from .list_vm_templates import ListVmTemplates, ListVmTemplatesVmTemplates
from .list_vms import ListVms, ListVmsVms, ListVmsVmsItems
from .model_catalogue import ModelCatalogue, ModelCatalogueModelCatalogue
from .purchase_tokens import (
    PurchaseTokens,
    PurchaseTokensPurchaseTokens,
    PurchaseTokensPurchaseTokensPurchase,
)
from .reboot_vm import RebootVm, RebootVmRebootVm, RebootVmRebootVmVm
from .remove_ssh_key_from_group import (
    RemoveSshKeyFromGroup,
    RemoveSshKeyFromGroupRemoveSshKeyFromGroup,
    RemoveSshKeyFromGroupRemoveSshKeyFromGroupSshKeyGroup,
)
from .remove_team_member import (
    RemoveTeamMember,
    RemoveTeamMemberRemoveTeamMember,
    RemoveTeamMemberRemoveTeamMemberMember,
)
from .requeue_instance import (
    RequeueInstance,
    RequeueInstanceRequeueInstance,
    RequeueInstanceRequeueInstanceInstance,
)
from .resize_vm_disk import (
    ResizeVmDisk,
    ResizeVmDiskResizeVmDisk,
    ResizeVmDiskResizeVmDiskVmDisk,
)
from .revoke_api_key import (
    RevokeApiKey,
    RevokeApiKeyRevokeApiKey,
    RevokeApiKeyRevokeApiKeyApiKey,
)
from .run_function import RunFunction, RunFunctionRunFunction, RunFunctionRunFunctionRun
from .scale_model import (
    ScaleModel,
    ScaleModelScaleModel,
    ScaleModelScaleModelModelDeployment,
)
from .start_instance import (
    StartInstance,
    StartInstanceStartInstance,
    StartInstanceStartInstanceInstance,
)
from .start_vm import StartVm, StartVmStartVm, StartVmStartVmVm
from .stop_instance import (
    StopInstance,
    StopInstanceStopInstance,
    StopInstanceStopInstanceInstance,
)
from .stop_model import StopModel, StopModelStopModel, StopModelStopModelModelDeployment
from .stop_vm import StopVm, StopVmStopVm, StopVmStopVmVm
from .stream_events import StreamEvents, StreamEventsEvents
from .update_function import (
    UpdateFunction,
    UpdateFunctionUpdateFunction,
    UpdateFunctionUpdateFunctionFunction,
)
from .update_instance import (
    UpdateInstance,
    UpdateInstanceUpdateInstance,
    UpdateInstanceUpdateInstanceInstance,
)
from .update_spending_alert import (
    UpdateSpendingAlert,
    UpdateSpendingAlertUpdateSpendingAlert,
    UpdateSpendingAlertUpdateSpendingAlertSpendingAlert,
)
from .update_team_member import (
    UpdateTeamMember,
    UpdateTeamMemberUpdateTeamMember,
    UpdateTeamMemberUpdateTeamMemberMember,
)
from .update_vm import UpdateVm, UpdateVmUpdateVm, UpdateVmUpdateVmVm
from .upload_ssh_key import (
    UploadSshKey,
    UploadSshKeyUploadSshKey,
    UploadSshKeyUploadSshKeySshKey,
)
from .watch_instance_status import (
    WatchInstanceStatus,
    WatchInstanceStatusInstanceStatus,
)

__all__ = [
    "AccountFields",
    "AddSshKeyToGroup",
    "AddSshKeyToGroupAddSshKeyToGroup",
    "AddSshKeyToGroupAddSshKeyToGroupSshKeyGroup",
    "AddTeamMember",
    "AddTeamMemberAddTeamMember",
    "AddTeamMemberAddTeamMemberMember",
    "AddTeamMemberInput",
    "ApiKeyFields",
    "AsyncBaseClient",
    "AsyncGeneratedClient",
    "AttachVmDisk",
    "AttachVmDiskAttachVmDisk",
    "AttachVmDiskAttachVmDiskVmDisk",
    "AttachVmNetwork",
    "AttachVmNetworkAttachVmNetwork",
    "AttachVmNetworkAttachVmNetworkVmNetwork",
    "AttachVmNetworkInput",
    "BaseModel",
    "CancelFunctionRun",
    "CancelFunctionRunCancelFunctionRun",
    "CancelFunctionRunCancelFunctionRunRun",
    "CatalogueModelFields",
    "ClusterFields",
    "ClusterFieldsOwner",
    "ClusterStatus",
    "CreateApiKey",
    "CreateApiKeyCreateApiKey",
    "CreateApiKeyCreateApiKeyApiKey",
    "CreateApiKeyInput",
    "CreateCluster",
    "CreateClusterCreateCluster",
    "CreateClusterCreateClusterCluster",
    "CreateClusterInput",
    "CreateFirewallRule",
    "CreateFirewallRuleCreateFirewallRule",
    "CreateFirewallRuleCreateFirewallRuleFirewallRule",
    "CreateFirewallRuleInput",
    "CreateFunction",
    "CreateFunctionCreateFunction",
    "CreateFunctionCreateFunctionFunction",
    "CreateFunctionInput",
    "CreateInstance",
    "CreateInstanceCreateInstance",
    "CreateInstanceCreateInstanceInstance",
    "CreateInstanceInput",
    "CreateSlurmEnvironment",
    "CreateSlurmEnvironmentCreateSlurmEnvironment",
    "CreateSlurmEnvironmentCreateSlurmEnvironmentSlurmEnvironment",
    "CreateSlurmEnvironmentInput",
    "CreateSpendingAlert",
    "CreateSpendingAlertCreateSpendingAlert",
    "CreateSpendingAlertCreateSpendingAlertSpendingAlert",
    "CreateSpendingAlertInput",
    "CreateSshKeyGroup",
    "CreateSshKeyGroupCreateSshKeyGroup",
    "CreateSshKeyGroupCreateSshKeyGroupSshKeyGroup",
    "CreateSshKeyGroupInput",
    "CreateSubnet",
    "CreateSubnetCreateSubnet",
    "CreateSubnetCreateSubnetSubnet",
    "CreateSubnetInput",
    "CreateTeam",
    "CreateTeamCreateTeam",
    "CreateTeamCreateTeamTeam",
    "CreateTeamInput",
    "CreateVm",
    "CreateVmCreateVm",
    "CreateVmCreateVmVm",
    "CreateVmDisk",
    "CreateVmDiskCreateVmDisk",
    "CreateVmDiskCreateVmDiskVmDisk",
    "CreateVmDiskInput",
    "CreateVmInput",
    "CreateVmNetwork",
    "CreateVmNetworkCreateVmNetwork",
    "CreateVmNetworkCreateVmNetworkVmNetwork",
    "CreateVmNetworkInput",
    "DeleteCluster",
    "DeleteClusterDeleteCluster",
    "DeleteClusterDeleteClusterCluster",
    "DeleteFirewallRule",
    "DeleteFirewallRuleDeleteFirewallRule",
    "DeleteFirewallRuleDeleteFirewallRuleFirewallRule",
    "DeleteFunction",
    "DeleteFunctionDeleteFunction",
    "DeleteFunctionDeleteFunctionFunction",
    "DeleteInstance",
    "DeleteInstanceDeleteInstance",
    "DeleteInstanceDeleteInstanceInstance",
    "DeleteModel",
    "DeleteModelDeleteModel",
    "DeleteModelDeleteModelModelDeployment",
    "DeleteSlurmEnvironment",
    "DeleteSlurmEnvironmentDeleteSlurmEnvironment",
    "DeleteSlurmEnvironmentDeleteSlurmEnvironmentSlurmEnvironment",
    "DeleteSpendingAlert",
    "DeleteSpendingAlertDeleteSpendingAlert",
    "DeleteSpendingAlertDeleteSpendingAlertSpendingAlert",
    "DeleteSshKey",
    "DeleteSshKeyDeleteSshKey",
    "DeleteSshKeyDeleteSshKeySshKey",
    "DeleteSshKeyGroup",
    "DeleteSshKeyGroupDeleteSshKeyGroup",
    "DeleteSshKeyGroupDeleteSshKeyGroupSshKeyGroup",
    "DeleteSubnet",
    "DeleteSubnetDeleteSubnet",
    "DeleteSubnetDeleteSubnetSubnet",
    "DeleteVm",
    "DeleteVmDeleteVm",
    "DeleteVmDeleteVmVm",
    "DeleteVmDisk",
    "DeleteVmDiskDeleteVmDisk",
    "DeleteVmDiskDeleteVmDiskVmDisk",
    "DeleteVmNetwork",
    "DeleteVmNetworkDeleteVmNetwork",
    "DeleteVmNetworkDeleteVmNetworkVmNetwork",
    "DeployModel",
    "DeployModelDeployModel",
    "DeployModelDeployModelModelDeployment",
    "DeployModelInput",
    "DetachVmDisk",
    "DetachVmDiskDetachVmDisk",
    "DetachVmDiskDetachVmDiskVmDisk",
    "DetachVmNetwork",
    "DetachVmNetworkDetachVmNetwork",
    "DetachVmNetworkDetachVmNetworkVmNetwork",
    "EventFields",
    "FirewallRuleFields",
    "FunctionRunFields",
    "FunctionRunStatus",
    "GenerateSshKey",
    "GenerateSshKeyGenerateSshKey",
    "GenerateSshKeyGenerateSshKeySshKey",
    "GetApiKey",
    "GetApiKeyApiKey",
    "GetCluster",
    "GetClusterCluster",
    "GetClusterKubeconfig",
    "GetClusterKubeconfigClusterKubeconfig",
    "GetFunction",
    "GetFunctionFunction",
    "GetFunctionRun",
    "GetFunctionRunFunctionRun",
    "GetInstance",
    "GetInstanceInstance",
    "GetModelDeployment",
    "GetModelDeploymentModelDeployment",
    "GetQuotas",
    "GetQuotasQuotas",
    "GetSlurmEnvironment",
    "GetSlurmEnvironmentSlurmEnvironment",
    "GetSpendingAlert",
    "GetSpendingAlertSpendingAlert",
    "GetSshKey",
    "GetSshKeyGroup",
    "GetSshKeyGroupSshKeyGroup",
    "GetSshKeySshKey",
    "GetTeam",
    "GetTeamTeam",
    "GetTokenBalance",
    "GetTokenBalanceTokenBalance",
    "GetViewer",
    "GetViewerViewer",
    "GetVm",
    "GetVmDisk",
    "GetVmDiskVmDisk",
    "GetVmNetwork",
    "GetVmNetworkVmNetwork",
    "GetVmTemplate",
    "GetVmTemplateVmTemplate",
    "GetVmVm",
    "GpuFunctionFields",
    "GpuTierFields",
    "GraphQLClientError",
    "GraphQLClientGraphQLError",
    "GraphQLClientGraphQLMultiError",
    "GraphQLClientHttpError",
    "GraphQLClientInvalidResponseError",
    "InstanceFields",
    "InstanceFieldsOwner",
    "InstanceFieldsTierInfo",
    "InstanceStatus",
    "InstanceStatusEventFields",
    "KubeconfigFields",
    "ListApiKeys",
    "ListApiKeysApiKeys",
    "ListApiKeysApiKeysItems",
    "ListClusterVersions",
    "ListClusters",
    "ListClustersClusters",
    "ListClustersClustersItems",
    "ListFirewallRules",
    "ListFirewallRulesFirewallRules",
    "ListFirewallRulesFirewallRulesItems",
    "ListFunctionRuns",
    "ListFunctionRunsFunctionRuns",
    "ListFunctionRunsFunctionRunsItems",
    "ListFunctions",
    "ListFunctionsFunctions",
    "ListFunctionsFunctionsItems",
    "ListGpuTiers",
    "ListGpuTiersGpuTiers",
    "ListInstances",
    "ListInstancesInstances",
    "ListInstancesInstancesItems",
    "ListModelDeployments",
    "ListModelDeploymentsModelDeployments",
    "ListModelDeploymentsModelDeploymentsItems",
    "ListNotifications",
    "ListNotificationsNotifications",
    "ListNotificationsNotificationsItems",
    "ListSlurmEnvironments",
    "ListSlurmEnvironmentsSlurmEnvironments",
    "ListSlurmEnvironmentsSlurmEnvironmentsItems",
    "ListSpendingAlerts",
    "ListSpendingAlertsSpendingAlerts",
    "ListSpendingAlertsSpendingAlertsItems",
    "ListSshKeyGroups",
    "ListSshKeyGroupsSshKeyGroups",
    "ListSshKeyGroupsSshKeyGroupsItems",
    "ListSshKeys",
    "ListSshKeysSshKeys",
    "ListSshKeysSshKeysItems",
    "ListSubnets",
    "ListSubnetsSubnets",
    "ListSubnetsSubnetsItems",
    "ListTeamMembers",
    "ListTeamMembersTeamMembers",
    "ListTeamMembersTeamMembersItems",
    "ListTeams",
    "ListTeamsTeams",
    "ListTeamsTeamsItems",
    "ListTokenPackages",
    "ListTokenPackagesTokenPackages",
    "ListTokenUsage",
    "ListTokenUsageTokenUsage",
    "ListTokenUsageTokenUsageItems",
    "ListVmDisks",
    "ListVmDisksVmDisks",
    "ListVmDisksVmDisksItems",
    "ListVmNetworkAttachments",
    "ListVmNetworkAttachmentsVmNetworkAttachments",
    "ListVmNetworks",
    "ListVmNetworksVmNetworks",
    "ListVmNetworksVmNetworksItems",
    "ListVmTemplates",
    "ListVmTemplatesVmTemplates",
    "ListVms",
    "ListVmsVms",
    "ListVmsVmsItems",
    "ModelCatalogue",
    "ModelCatalogueModelCatalogue",
    "ModelDeploymentFields",
    "NotificationFields",
    "NotifyVia",
    "PurchaseTokens",
    "PurchaseTokensInput",
    "PurchaseTokensPurchaseTokens",
    "PurchaseTokensPurchaseTokensPurchase",
    "QuotasFields",
    "QuotasFieldsGpus",
    "QuotasFieldsGpusByFamily",
    "QuotasFieldsStorage",
    "RebootVm",
    "RebootVmRebootVm",
    "RebootVmRebootVmVm",
    "RemoveSshKeyFromGroup",
    "RemoveSshKeyFromGroupRemoveSshKeyFromGroup",
    "RemoveSshKeyFromGroupRemoveSshKeyFromGroupSshKeyGroup",
    "RemoveTeamMember",
    "RemoveTeamMemberRemoveTeamMember",
    "RemoveTeamMemberRemoveTeamMemberMember",
    "RequeueInstance",
    "RequeueInstanceRequeueInstance",
    "RequeueInstanceRequeueInstanceInstance",
    "ResizeVmDisk",
    "ResizeVmDiskResizeVmDisk",
    "ResizeVmDiskResizeVmDiskVmDisk",
    "RevokeApiKey",
    "RevokeApiKeyRevokeApiKey",
    "RevokeApiKeyRevokeApiKeyApiKey",
    "RunFunction",
    "RunFunctionRunFunction",
    "RunFunctionRunFunctionRun",
    "ScaleModel",
    "ScaleModelInput",
    "ScaleModelScaleModel",
    "ScaleModelScaleModelModelDeployment",
    "SlurmEnvironmentFields",
    "SlurmEnvironmentStatus",
    "SpendingAlertFields",
    "SshKeyFields",
    "SshKeyGroupFields",
    "SshKeyGroupFieldsKeys",
    "StartInstance",
    "StartInstanceStartInstance",
    "StartInstanceStartInstanceInstance",
    "StartVm",
    "StartVmStartVm",
    "StartVmStartVmVm",
    "StopInstance",
    "StopInstanceStopInstance",
    "StopInstanceStopInstanceInstance",
    "StopModel",
    "StopModelStopModel",
    "StopModelStopModelModelDeployment",
    "StopVm",
    "StopVmStopVm",
    "StopVmStopVmVm",
    "StreamEvents",
    "StreamEventsEvents",
    "SubnetFields",
    "TeamFields",
    "TeamMemberFields",
    "TeamMembershipFields",
    "TeamMembershipFieldsTeam",
    "TeamRole",
    "TenantFields",
    "TokenBalanceFields",
    "TokenPackageFields",
    "TokenPurchaseFields",
    "TokenUsageFields",
    "UpdateFunction",
    "UpdateFunctionInput",
    "UpdateFunctionUpdateFunction",
    "UpdateFunctionUpdateFunctionFunction",
    "UpdateInstance",
    "UpdateInstanceInput",
    "UpdateInstanceUpdateInstance",
    "UpdateInstanceUpdateInstanceInstance",
    "UpdateSpendingAlert",
    "UpdateSpendingAlertInput",
    "UpdateSpendingAlertUpdateSpendingAlert",
    "UpdateSpendingAlertUpdateSpendingAlertSpendingAlert",
    "UpdateTeamMember",
    "UpdateTeamMemberUpdateTeamMember",
    "UpdateTeamMemberUpdateTeamMemberMember",
    "UpdateVm",
    "UpdateVmInput",
    "UpdateVmUpdateVm",
    "UpdateVmUpdateVmVm",
    "Upload",
    "UploadSshKey",
    "UploadSshKeyInput",
    "UploadSshKeyUploadSshKey",
    "UploadSshKeyUploadSshKeySshKey",
    "ViewerFields",
    "ViewerFieldsTeams",
    "ViewerFieldsTenant",
    "VmDiskFields",
    "VmDiskStatus",
    "VmFields",
    "VmNetworkAttachmentFields",
    "VmNetworkFields",
    "VmStatus",
    "VmTemplateFields",
    "WatchInstanceStatus",
    "WatchInstanceStatusInstanceStatus",
    "WorkloadType",
]
