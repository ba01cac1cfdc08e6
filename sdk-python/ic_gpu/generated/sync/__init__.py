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
from .base_client import BaseClient
from .base_model import BaseModel, Upload
from .client import GeneratedClient
from .create_api_key import (
    CreateApiKey,
    CreateApiKeyCreateApiKey,
    CreateApiKeyCreateApiKeyApiKey,
)
from .create_instance import (
    CreateInstance,
    CreateInstanceCreateInstance,
    CreateInstanceCreateInstanceInstance,
)
from .create_ssh_key_group import (
    CreateSshKeyGroup,
    CreateSshKeyGroupCreateSshKeyGroup,
    CreateSshKeyGroupCreateSshKeyGroupSshKeyGroup,
)
from .create_team import CreateTeam, CreateTeamCreateTeam, CreateTeamCreateTeamTeam
from .delete_instance import (
    DeleteInstance,
    DeleteInstanceDeleteInstance,
    DeleteInstanceDeleteInstanceInstance,
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
from .enums import InstanceStatus, TeamRole, WorkloadType
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
    EventFields,
    GpuTierFields,
    InstanceFields,
    InstanceFieldsOwner,
    InstanceFieldsTierInfo,
    InstanceStatusEventFields,
    SshKeyFields,
    SshKeyGroupFields,
    SshKeyGroupFieldsKeys,
    TeamFields,
    TeamMemberFields,
    TeamMembershipFields,
    TeamMembershipFieldsTeam,
    TenantFields,
    ViewerFields,
    ViewerFieldsTeams,
    ViewerFieldsTenant,
)
from .generate_ssh_key import (
    GenerateSshKey,
    GenerateSshKeyGenerateSshKey,
    GenerateSshKeyGenerateSshKeySshKey,
)
from .get_api_key import GetApiKey, GetApiKeyApiKey
from .get_instance import GetInstance, GetInstanceInstance
from .get_ssh_key import GetSshKey, GetSshKeySshKey
from .get_ssh_key_group import GetSshKeyGroup, GetSshKeyGroupSshKeyGroup
from .get_team import GetTeam, GetTeamTeam
from .get_viewer import GetViewer, GetViewerViewer
from .input_types import (
    AddTeamMemberInput,
    CreateApiKeyInput,
    CreateInstanceInput,
    CreateSshKeyGroupInput,
    CreateTeamInput,
    UpdateInstanceInput,
    UploadSshKeyInput,
)
from .list_api_keys import ListApiKeys, ListApiKeysApiKeys, ListApiKeysApiKeysItems
from .list_gpu_tiers import ListGpuTiers, ListGpuTiersGpuTiers
from .list_instances import (
    ListInstances,
    ListInstancesInstances,
    ListInstancesInstancesItems,
)
from .list_ssh_key_groups import (
    ListSshKeyGroups,
    ListSshKeyGroupsSshKeyGroups,
    ListSshKeyGroupsSshKeyGroupsItems,
)
from .list_ssh_keys import ListSshKeys, ListSshKeysSshKeys, ListSshKeysSshKeysItems
from .list_team_members import (
    ListTeamMembers,
    ListTeamMembersTeamMembers,
    ListTeamMembersTeamMembersItems,
)
from .list_teams import ListTeams, ListTeamsTeams, ListTeamsTeamsItems
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
from .revoke_api_key import (
    RevokeApiKey,
    RevokeApiKeyRevokeApiKey,
    RevokeApiKeyRevokeApiKeyApiKey,
)
from .start_instance import (
    StartInstance,
    StartInstanceStartInstance,
    StartInstanceStartInstanceInstance,
)
from .stop_instance import (
    StopInstance,
    StopInstanceStopInstance,
    StopInstanceStopInstanceInstance,
)
from .update_instance import (
    UpdateInstance,
    UpdateInstanceUpdateInstance,
    UpdateInstanceUpdateInstanceInstance,
)
from .update_team_member import (
    UpdateTeamMember,
    UpdateTeamMemberUpdateTeamMember,
    UpdateTeamMemberUpdateTeamMemberMember,
)
from .upload_ssh_key import (
    UploadSshKey,
    UploadSshKeyUploadSshKey,
    UploadSshKeyUploadSshKeySshKey,
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
    "BaseClient",
    "BaseModel",
    "CreateApiKey",
    "CreateApiKeyCreateApiKey",
    "CreateApiKeyCreateApiKeyApiKey",
    "CreateApiKeyInput",
    "CreateInstance",
    "CreateInstanceCreateInstance",
    "CreateInstanceCreateInstanceInstance",
    "CreateInstanceInput",
    "CreateSshKeyGroup",
    "CreateSshKeyGroupCreateSshKeyGroup",
    "CreateSshKeyGroupCreateSshKeyGroupSshKeyGroup",
    "CreateSshKeyGroupInput",
    "CreateTeam",
    "CreateTeamCreateTeam",
    "CreateTeamCreateTeamTeam",
    "CreateTeamInput",
    "DeleteInstance",
    "DeleteInstanceDeleteInstance",
    "DeleteInstanceDeleteInstanceInstance",
    "DeleteSshKey",
    "DeleteSshKeyDeleteSshKey",
    "DeleteSshKeyDeleteSshKeySshKey",
    "DeleteSshKeyGroup",
    "DeleteSshKeyGroupDeleteSshKeyGroup",
    "DeleteSshKeyGroupDeleteSshKeyGroupSshKeyGroup",
    "EventFields",
    "GenerateSshKey",
    "GenerateSshKeyGenerateSshKey",
    "GenerateSshKeyGenerateSshKeySshKey",
    "GeneratedClient",
    "GetApiKey",
    "GetApiKeyApiKey",
    "GetInstance",
    "GetInstanceInstance",
    "GetSshKey",
    "GetSshKeyGroup",
    "GetSshKeyGroupSshKeyGroup",
    "GetSshKeySshKey",
    "GetTeam",
    "GetTeamTeam",
    "GetViewer",
    "GetViewerViewer",
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
    "ListApiKeys",
    "ListApiKeysApiKeys",
    "ListApiKeysApiKeysItems",
    "ListGpuTiers",
    "ListGpuTiersGpuTiers",
    "ListInstances",
    "ListInstancesInstances",
    "ListInstancesInstancesItems",
    "ListSshKeyGroups",
    "ListSshKeyGroupsSshKeyGroups",
    "ListSshKeyGroupsSshKeyGroupsItems",
    "ListSshKeys",
    "ListSshKeysSshKeys",
    "ListSshKeysSshKeysItems",
    "ListTeamMembers",
    "ListTeamMembersTeamMembers",
    "ListTeamMembersTeamMembersItems",
    "ListTeams",
    "ListTeamsTeams",
    "ListTeamsTeamsItems",
    "RemoveSshKeyFromGroup",
    "RemoveSshKeyFromGroupRemoveSshKeyFromGroup",
    "RemoveSshKeyFromGroupRemoveSshKeyFromGroupSshKeyGroup",
    "RemoveTeamMember",
    "RemoveTeamMemberRemoveTeamMember",
    "RemoveTeamMemberRemoveTeamMemberMember",
    "RequeueInstance",
    "RequeueInstanceRequeueInstance",
    "RequeueInstanceRequeueInstanceInstance",
    "RevokeApiKey",
    "RevokeApiKeyRevokeApiKey",
    "RevokeApiKeyRevokeApiKeyApiKey",
    "SshKeyFields",
    "SshKeyGroupFields",
    "SshKeyGroupFieldsKeys",
    "StartInstance",
    "StartInstanceStartInstance",
    "StartInstanceStartInstanceInstance",
    "StopInstance",
    "StopInstanceStopInstance",
    "StopInstanceStopInstanceInstance",
    "TeamFields",
    "TeamMemberFields",
    "TeamMembershipFields",
    "TeamMembershipFieldsTeam",
    "TeamRole",
    "TenantFields",
    "UpdateInstance",
    "UpdateInstanceInput",
    "UpdateInstanceUpdateInstance",
    "UpdateInstanceUpdateInstanceInstance",
    "UpdateTeamMember",
    "UpdateTeamMemberUpdateTeamMember",
    "UpdateTeamMemberUpdateTeamMemberMember",
    "Upload",
    "UploadSshKey",
    "UploadSshKeyInput",
    "UploadSshKeyUploadSshKey",
    "UploadSshKeyUploadSshKeySshKey",
    "ViewerFields",
    "ViewerFieldsTeams",
    "ViewerFieldsTenant",
    "WorkloadType",
]
