from typing import Any, Optional, Union

from .add_ssh_key_to_group import AddSshKeyToGroup
from .add_team_member import AddTeamMember
from .attach_vm_disk import AttachVmDisk
from .attach_vm_network import AttachVmNetwork
from .base_client import BaseClient
from .base_model import UNSET, UnsetType
from .cancel_function_run import CancelFunctionRun
from .create_api_key import CreateApiKey
from .create_cluster import CreateCluster
from .create_firewall_rule import CreateFirewallRule
from .create_function import CreateFunction
from .create_instance import CreateInstance
from .create_slurm_environment import CreateSlurmEnvironment
from .create_spending_alert import CreateSpendingAlert
from .create_ssh_key_group import CreateSshKeyGroup
from .create_subnet import CreateSubnet
from .create_team import CreateTeam
from .create_vm import CreateVm
from .create_vm_disk import CreateVmDisk
from .create_vm_network import CreateVmNetwork
from .delete_cluster import DeleteCluster
from .delete_firewall_rule import DeleteFirewallRule
from .delete_function import DeleteFunction
from .delete_instance import DeleteInstance
from .delete_model import DeleteModel
from .delete_slurm_environment import DeleteSlurmEnvironment
from .delete_spending_alert import DeleteSpendingAlert
from .delete_ssh_key import DeleteSshKey
from .delete_ssh_key_group import DeleteSshKeyGroup
from .delete_subnet import DeleteSubnet
from .delete_vm import DeleteVm
from .delete_vm_disk import DeleteVmDisk
from .delete_vm_network import DeleteVmNetwork
from .deploy_model import DeployModel
from .detach_vm_disk import DetachVmDisk
from .detach_vm_network import DetachVmNetwork
from .enums import FunctionRunStatus, InstanceStatus, TeamRole, VmStatus
from .generate_ssh_key import GenerateSshKey
from .get_api_key import GetApiKey
from .get_cluster import GetCluster
from .get_cluster_kubeconfig import GetClusterKubeconfig
from .get_function import GetFunction
from .get_function_run import GetFunctionRun
from .get_instance import GetInstance
from .get_model_deployment import GetModelDeployment
from .get_quotas import GetQuotas
from .get_slurm_environment import GetSlurmEnvironment
from .get_spending_alert import GetSpendingAlert
from .get_ssh_key import GetSshKey
from .get_ssh_key_group import GetSshKeyGroup
from .get_team import GetTeam
from .get_token_balance import GetTokenBalance
from .get_viewer import GetViewer
from .get_vm import GetVm
from .get_vm_disk import GetVmDisk
from .get_vm_network import GetVmNetwork
from .get_vm_template import GetVmTemplate
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
from .list_api_keys import ListApiKeys
from .list_cluster_versions import ListClusterVersions
from .list_clusters import ListClusters
from .list_firewall_rules import ListFirewallRules
from .list_function_runs import ListFunctionRuns
from .list_functions import ListFunctions
from .list_gpu_tiers import ListGpuTiers
from .list_instances import ListInstances
from .list_model_deployments import ListModelDeployments
from .list_notifications import ListNotifications
from .list_slurm_environments import ListSlurmEnvironments
from .list_spending_alerts import ListSpendingAlerts
from .list_ssh_key_groups import ListSshKeyGroups
from .list_ssh_keys import ListSshKeys
from .list_subnets import ListSubnets
from .list_team_members import ListTeamMembers
from .list_teams import ListTeams
from .list_token_packages import ListTokenPackages
from .list_token_usage import ListTokenUsage
from .list_vm_disks import ListVmDisks
from .list_vm_network_attachments import ListVmNetworkAttachments
from .list_vm_networks import ListVmNetworks
from .list_vm_templates import ListVmTemplates
from .list_vms import ListVms
from .model_catalogue import ModelCatalogue
from .purchase_tokens import PurchaseTokens
from .reboot_vm import RebootVm
from .remove_ssh_key_from_group import RemoveSshKeyFromGroup
from .remove_team_member import RemoveTeamMember
from .requeue_instance import RequeueInstance
from .resize_vm_disk import ResizeVmDisk
from .revoke_api_key import RevokeApiKey
from .run_function import RunFunction
from .scale_model import ScaleModel
from .start_instance import StartInstance
from .start_vm import StartVm
from .stop_instance import StopInstance
from .stop_model import StopModel
from .stop_vm import StopVm
from .update_function import UpdateFunction
from .update_instance import UpdateInstance
from .update_spending_alert import UpdateSpendingAlert
from .update_team_member import UpdateTeamMember
from .update_vm import UpdateVm
from .upload_ssh_key import UploadSshKey


def gql(q: str) -> str:
    return q


class GeneratedClient(BaseClient):
    def list_api_keys(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListApiKeys:
        query = gql("""
            query ListApiKeys($maxResults: Int, $nextToken: String) {
              apiKeys(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...ApiKeyFields
                }
                nextToken
              }
            }

            fragment ApiKeyFields on ApiKey {
              id
              name
              prefix
              scopes
              permissions
              createdAt
              lastUsedAt
              expiresAt
              revokedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListApiKeys", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListApiKeys.model_validate(data)

    def get_api_key(self, id: str, **kwargs: Any) -> GetApiKey:
        query = gql("""
            query GetApiKey($id: ID!) {
              apiKey(id: $id) {
                ...ApiKeyFields
              }
            }

            fragment ApiKeyFields on ApiKey {
              id
              name
              prefix
              scopes
              permissions
              createdAt
              lastUsedAt
              expiresAt
              revokedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetApiKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetApiKey.model_validate(data)

    def create_api_key(
        self,
        input: CreateApiKeyInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateApiKey:
        query = gql("""
            mutation CreateApiKey($input: CreateApiKeyInput!, $dryRun: Boolean) {
              createApiKey(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                key
                apiKey {
                  ...ApiKeyFields
                }
              }
            }

            fragment ApiKeyFields on ApiKey {
              id
              name
              prefix
              scopes
              permissions
              createdAt
              lastUsedAt
              expiresAt
              revokedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateApiKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateApiKey.model_validate(data)

    def revoke_api_key(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> RevokeApiKey:
        query = gql("""
            mutation RevokeApiKey($id: ID!, $dryRun: Boolean) {
              revokeApiKey(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                apiKey {
                  ...ApiKeyFields
                }
              }
            }

            fragment ApiKeyFields on ApiKey {
              id
              name
              prefix
              scopes
              permissions
              createdAt
              lastUsedAt
              expiresAt
              revokedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="RevokeApiKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RevokeApiKey.model_validate(data)

    def list_cluster_versions(self, **kwargs: Any) -> ListClusterVersions:
        query = gql("""
            query ListClusterVersions {
              clusterVersions
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query,
            operation_name="ListClusterVersions",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListClusterVersions.model_validate(data)

    def list_clusters(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListClusters:
        query = gql("""
            query ListClusters($maxResults: Int, $nextToken: String) {
              clusters(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...ClusterFields
                }
                nextToken
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment ClusterFields on Cluster {
              id
              name
              version
              status
              statusReason
              teamId
              serverUrl
              createdAt
              updatedAt
              terminatedAt
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListClusters", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListClusters.model_validate(data)

    def get_cluster(self, id: str, **kwargs: Any) -> GetCluster:
        query = gql("""
            query GetCluster($id: ID!) {
              cluster(id: $id) {
                ...ClusterFields
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment ClusterFields on Cluster {
              id
              name
              version
              status
              statusReason
              teamId
              serverUrl
              createdAt
              updatedAt
              terminatedAt
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetCluster", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetCluster.model_validate(data)

    def get_cluster_kubeconfig(self, id: str, **kwargs: Any) -> GetClusterKubeconfig:
        query = gql("""
            query GetClusterKubeconfig($id: ID!) {
              clusterKubeconfig(id: $id) {
                ...KubeconfigFields
              }
            }

            fragment KubeconfigFields on Kubeconfig {
              clusterId
              context
              namespace
              serverUrl
              certificateAuthorityData
              token
              clientCertificateData
              clientKeyData
              kubeconfig
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query,
            operation_name="GetClusterKubeconfig",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return GetClusterKubeconfig.model_validate(data)

    def create_cluster(
        self,
        input: CreateClusterInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateCluster:
        query = gql("""
            mutation CreateCluster($input: CreateClusterInput!, $dryRun: Boolean) {
              createCluster(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                cluster {
                  ...ClusterFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment ClusterFields on Cluster {
              id
              name
              version
              status
              statusReason
              teamId
              serverUrl
              createdAt
              updatedAt
              terminatedAt
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateCluster", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateCluster.model_validate(data)

    def delete_cluster(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteCluster:
        query = gql("""
            mutation DeleteCluster($id: ID!, $dryRun: Boolean) {
              deleteCluster(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                cluster {
                  ...ClusterFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment ClusterFields on Cluster {
              id
              name
              version
              status
              statusReason
              teamId
              serverUrl
              createdAt
              updatedAt
              terminatedAt
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteCluster", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteCluster.model_validate(data)

    def list_functions(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListFunctions:
        query = gql("""
            query ListFunctions($maxResults: Int, $nextToken: String) {
              functions(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...GpuFunctionFields
                }
                nextToken
              }
            }

            fragment GpuFunctionFields on GpuFunction {
              id
              name
              image
              entrypoint
              gpuTier
              timeoutSeconds
              envVars
              secretEnvVarNames
              teamId
              status
              pricePerHour
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListFunctions", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListFunctions.model_validate(data)

    def get_function(self, id: str, **kwargs: Any) -> GetFunction:
        query = gql("""
            query GetFunction($id: ID!) {
              function(id: $id) {
                ...GpuFunctionFields
              }
            }

            fragment GpuFunctionFields on GpuFunction {
              id
              name
              image
              entrypoint
              gpuTier
              timeoutSeconds
              envVars
              secretEnvVarNames
              teamId
              status
              pricePerHour
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetFunction", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetFunction.model_validate(data)

    def create_function(
        self,
        input: CreateFunctionInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateFunction:
        query = gql("""
            mutation CreateFunction($input: CreateFunctionInput!, $dryRun: Boolean) {
              createFunction(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                function {
                  ...GpuFunctionFields
                }
              }
            }

            fragment GpuFunctionFields on GpuFunction {
              id
              name
              image
              entrypoint
              gpuTier
              timeoutSeconds
              envVars
              secretEnvVarNames
              teamId
              status
              pricePerHour
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateFunction", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateFunction.model_validate(data)

    def update_function(
        self,
        id: str,
        input: UpdateFunctionInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UpdateFunction:
        query = gql("""
            mutation UpdateFunction($id: ID!, $input: UpdateFunctionInput!, $dryRun: Boolean) {
              updateFunction(id: $id, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                function {
                  ...GpuFunctionFields
                }
              }
            }

            fragment GpuFunctionFields on GpuFunction {
              id
              name
              image
              entrypoint
              gpuTier
              timeoutSeconds
              envVars
              secretEnvVarNames
              teamId
              status
              pricePerHour
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="UpdateFunction", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UpdateFunction.model_validate(data)

    def delete_function(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteFunction:
        query = gql("""
            mutation DeleteFunction($id: ID!, $dryRun: Boolean) {
              deleteFunction(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                function {
                  ...GpuFunctionFields
                }
              }
            }

            fragment GpuFunctionFields on GpuFunction {
              id
              name
              image
              entrypoint
              gpuTier
              timeoutSeconds
              envVars
              secretEnvVarNames
              teamId
              status
              pricePerHour
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteFunction", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteFunction.model_validate(data)

    def run_function(
        self,
        id: str,
        input: Union[Optional[Any], UnsetType] = UNSET,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> RunFunction:
        query = gql("""
            mutation RunFunction($id: ID!, $input: JSON, $dryRun: Boolean) {
              runFunction(id: $id, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                run {
                  ...FunctionRunFields
                }
              }
            }

            fragment FunctionRunFields on FunctionRun {
              id
              functionId
              status
              statusReason
              input
              output
              error
              logs
              exitCode
              gpuTier
              timeoutSeconds
              pricePerHour
              durationSeconds
              cost
              accountId
              teamId
              createdAt
              updatedAt
              startedAt
              finishedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="RunFunction", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RunFunction.model_validate(data)

    def list_function_runs(
        self,
        function_id: str,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        status: Union[Optional[FunctionRunStatus], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListFunctionRuns:
        query = gql("""
            query ListFunctionRuns($functionId: ID!, $maxResults: Int, $nextToken: String, $status: FunctionRunStatus) {
              functionRuns(
                functionId: $functionId
                maxResults: $maxResults
                nextToken: $nextToken
                status: $status
              ) {
                items {
                  ...FunctionRunFields
                }
                nextToken
              }
            }

            fragment FunctionRunFields on FunctionRun {
              id
              functionId
              status
              statusReason
              input
              output
              error
              logs
              exitCode
              gpuTier
              timeoutSeconds
              pricePerHour
              durationSeconds
              cost
              accountId
              teamId
              createdAt
              updatedAt
              startedAt
              finishedAt
            }
            """)
        variables: dict[str, object] = {
            "functionId": function_id,
            "maxResults": max_results,
            "nextToken": next_token,
            "status": status,
        }
        response = self.execute(
            query=query,
            operation_name="ListFunctionRuns",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListFunctionRuns.model_validate(data)

    def get_function_run(self, id: str, **kwargs: Any) -> GetFunctionRun:
        query = gql("""
            query GetFunctionRun($id: ID!) {
              functionRun(id: $id) {
                ...FunctionRunFields
              }
            }

            fragment FunctionRunFields on FunctionRun {
              id
              functionId
              status
              statusReason
              input
              output
              error
              logs
              exitCode
              gpuTier
              timeoutSeconds
              pricePerHour
              durationSeconds
              cost
              accountId
              teamId
              createdAt
              updatedAt
              startedAt
              finishedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetFunctionRun", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetFunctionRun.model_validate(data)

    def cancel_function_run(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> CancelFunctionRun:
        query = gql("""
            mutation CancelFunctionRun($id: ID!, $dryRun: Boolean) {
              cancelFunctionRun(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                run {
                  ...FunctionRunFields
                }
              }
            }

            fragment FunctionRunFields on FunctionRun {
              id
              functionId
              status
              statusReason
              input
              output
              error
              logs
              exitCode
              gpuTier
              timeoutSeconds
              pricePerHour
              durationSeconds
              cost
              accountId
              teamId
              createdAt
              updatedAt
              startedAt
              finishedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="CancelFunctionRun",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return CancelFunctionRun.model_validate(data)

    def list_gpu_tiers(self, **kwargs: Any) -> ListGpuTiers:
        query = gql("""
            query ListGpuTiers {
              gpuTiers {
                ...GpuTierFields
              }
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="ListGpuTiers", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListGpuTiers.model_validate(data)

    def get_viewer(self, **kwargs: Any) -> GetViewer:
        query = gql("""
            query GetViewer {
              viewer {
                ...ViewerFields
              }
            }

            fragment TeamFields on Team {
              id
              name
              description
              createdBy
              createdAt
              role
            }

            fragment TeamMembershipFields on TeamMembership {
              role
              team {
                ...TeamFields
              }
            }

            fragment TenantFields on Tenant {
              id
              name
            }

            fragment ViewerFields on Viewer {
              id
              email
              role
              credentialType
              apiKeyId
              scopes
              permissions
              tenant {
                ...TenantFields
              }
              teams {
                ...TeamMembershipFields
              }
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="GetViewer", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetViewer.model_validate(data)

    def list_instances(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        status: Union[Optional[InstanceStatus], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListInstances:
        query = gql("""
            query ListInstances($maxResults: Int, $nextToken: String, $status: InstanceStatus) {
              instances(maxResults: $maxResults, nextToken: $nextToken, status: $status) {
                items {
                  ...InstanceFields
                }
                nextToken
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
            "status": status,
        }
        response = self.execute(
            query=query, operation_name="ListInstances", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListInstances.model_validate(data)

    def get_instance(self, id: str, **kwargs: Any) -> GetInstance:
        query = gql("""
            query GetInstance($id: ID!) {
              instance(id: $id) {
                ...InstanceFields
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetInstance.model_validate(data)

    def create_instance(
        self,
        input: CreateInstanceInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateInstance:
        query = gql("""
            mutation CreateInstance($input: CreateInstanceInput!, $dryRun: Boolean) {
              createInstance(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                instance {
                  ...InstanceFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateInstance.model_validate(data)

    def update_instance(
        self,
        id: str,
        input: UpdateInstanceInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UpdateInstance:
        query = gql("""
            mutation UpdateInstance($id: ID!, $input: UpdateInstanceInput!, $dryRun: Boolean) {
              updateInstance(id: $id, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                instance {
                  ...InstanceFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="UpdateInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UpdateInstance.model_validate(data)

    def start_instance(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> StartInstance:
        query = gql("""
            mutation StartInstance($id: ID!, $dryRun: Boolean) {
              startInstance(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                instance {
                  ...InstanceFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="StartInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return StartInstance.model_validate(data)

    def stop_instance(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> StopInstance:
        query = gql("""
            mutation StopInstance($id: ID!, $dryRun: Boolean) {
              stopInstance(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                instance {
                  ...InstanceFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="StopInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return StopInstance.model_validate(data)

    def requeue_instance(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> RequeueInstance:
        query = gql("""
            mutation RequeueInstance($id: ID!, $dryRun: Boolean) {
              requeueInstance(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                instance {
                  ...InstanceFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="RequeueInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RequeueInstance.model_validate(data)

    def delete_instance(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteInstance:
        query = gql("""
            mutation DeleteInstance($id: ID!, $dryRun: Boolean) {
              deleteInstance(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                instance {
                  ...InstanceFields
                }
              }
            }

            fragment AccountFields on Account {
              id
              email
              role
            }

            fragment GpuTierFields on GpuTier {
              id
              name
              isolation
              description
              gpuMemoryGb
              pricePerHour
              batchPricePerHour
              capacity
              available
            }

            fragment InstanceFields on Instance {
              id
              name
              tier
              workloadType
              storageGb
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              hourlyPrice
              createdAt
              updatedAt
              terminatedAt
              autoStopAfterMinutes
              autoStopAt
              tierInfo {
                ...GpuTierFields
              }
              owner {
                ...AccountFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteInstance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteInstance.model_validate(data)

    def model_catalogue(self, **kwargs: Any) -> ModelCatalogue:
        query = gql("""
            query ModelCatalogue {
              modelCatalogue {
                ...CatalogueModelFields
              }
            }

            fragment CatalogueModelFields on CatalogueModel {
              alias
              huggingfaceId
              engine
              resourceProfile
              gpuTier
              contextLength
              tokenMultiplier
              kind
              description
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="ModelCatalogue", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ModelCatalogue.model_validate(data)

    def list_model_deployments(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListModelDeployments:
        query = gql("""
            query ListModelDeployments($maxResults: Int, $nextToken: String) {
              modelDeployments(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...ModelDeploymentFields
                }
                nextToken
              }
            }

            fragment ModelDeploymentFields on ModelDeployment {
              id
              name
              model
              engine
              kind
              minReplicas
              maxReplicas
              resourceProfile
              gpuTier
              status
              statusReason
              desiredReplicas
              readyReplicas
              upstream
              huggingfaceTokenSet
              teamId
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query,
            operation_name="ListModelDeployments",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListModelDeployments.model_validate(data)

    def get_model_deployment(self, name: str, **kwargs: Any) -> GetModelDeployment:
        query = gql("""
            query GetModelDeployment($name: String!) {
              modelDeployment(name: $name) {
                ...ModelDeploymentFields
              }
            }

            fragment ModelDeploymentFields on ModelDeployment {
              id
              name
              model
              engine
              kind
              minReplicas
              maxReplicas
              resourceProfile
              gpuTier
              status
              statusReason
              desiredReplicas
              readyReplicas
              upstream
              huggingfaceTokenSet
              teamId
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"name": name}
        response = self.execute(
            query=query,
            operation_name="GetModelDeployment",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return GetModelDeployment.model_validate(data)

    def deploy_model(
        self,
        input: DeployModelInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> DeployModel:
        query = gql("""
            mutation DeployModel($input: DeployModelInput!, $dryRun: Boolean) {
              deployModel(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                modelDeployment {
                  ...ModelDeploymentFields
                }
              }
            }

            fragment ModelDeploymentFields on ModelDeployment {
              id
              name
              model
              engine
              kind
              minReplicas
              maxReplicas
              resourceProfile
              gpuTier
              status
              statusReason
              desiredReplicas
              readyReplicas
              upstream
              huggingfaceTokenSet
              teamId
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeployModel", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeployModel.model_validate(data)

    def scale_model(
        self,
        name: str,
        input: ScaleModelInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ScaleModel:
        query = gql("""
            mutation ScaleModel($name: String!, $input: ScaleModelInput!, $dryRun: Boolean) {
              scaleModel(name: $name, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                modelDeployment {
                  ...ModelDeploymentFields
                }
              }
            }

            fragment ModelDeploymentFields on ModelDeployment {
              id
              name
              model
              engine
              kind
              minReplicas
              maxReplicas
              resourceProfile
              gpuTier
              status
              statusReason
              desiredReplicas
              readyReplicas
              upstream
              huggingfaceTokenSet
              teamId
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"name": name, "input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="ScaleModel", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ScaleModel.model_validate(data)

    def stop_model(
        self,
        name: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> StopModel:
        query = gql("""
            mutation StopModel($name: String!, $dryRun: Boolean) {
              stopModel(name: $name, dryRun: $dryRun) {
                dryRun
                valid
                modelDeployment {
                  ...ModelDeploymentFields
                }
              }
            }

            fragment ModelDeploymentFields on ModelDeployment {
              id
              name
              model
              engine
              kind
              minReplicas
              maxReplicas
              resourceProfile
              gpuTier
              status
              statusReason
              desiredReplicas
              readyReplicas
              upstream
              huggingfaceTokenSet
              teamId
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"name": name, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="StopModel", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return StopModel.model_validate(data)

    def delete_model(
        self,
        name: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> DeleteModel:
        query = gql("""
            mutation DeleteModel($name: String!, $dryRun: Boolean) {
              deleteModel(name: $name, dryRun: $dryRun) {
                dryRun
                valid
                modelDeployment {
                  ...ModelDeploymentFields
                }
              }
            }

            fragment ModelDeploymentFields on ModelDeployment {
              id
              name
              model
              engine
              kind
              minReplicas
              maxReplicas
              resourceProfile
              gpuTier
              status
              statusReason
              desiredReplicas
              readyReplicas
              upstream
              huggingfaceTokenSet
              teamId
              accountId
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"name": name, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteModel", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteModel.model_validate(data)

    def list_notifications(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListNotifications:
        query = gql("""
            query ListNotifications($maxResults: Int, $nextToken: String) {
              notifications(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...NotificationFields
                }
                nextToken
              }
            }

            fragment NotificationFields on Notification {
              id
              type
              alertId
              message
              data
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query,
            operation_name="ListNotifications",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListNotifications.model_validate(data)

    def get_quotas(self, **kwargs: Any) -> GetQuotas:
        query = gql("""
            query GetQuotas {
              quotas {
                ...QuotasFields
              }
            }

            fragment QuotasFields on Quotas {
              storage {
                limitGb
                usedGb
                remainingGb
              }
              gpus {
                limit
                used
                remaining
                byFamily {
                  family
                  used
                }
              }
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="GetQuotas", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetQuotas.model_validate(data)

    def list_slurm_environments(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListSlurmEnvironments:
        query = gql("""
            query ListSlurmEnvironments($maxResults: Int, $nextToken: String) {
              slurmEnvironments(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...SlurmEnvironmentFields
                }
                nextToken
              }
            }

            fragment SlurmEnvironmentFields on SlurmEnvironment {
              id
              name
              maxNodes
              gpuPerNode
              gpuTier
              totalGpus
              gpusPlaced
              teamId
              status
              statusReason
              sshHost
              sshPort
              sshUser
              hourlyPrice
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query,
            operation_name="ListSlurmEnvironments",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListSlurmEnvironments.model_validate(data)

    def get_slurm_environment(self, id: str, **kwargs: Any) -> GetSlurmEnvironment:
        query = gql("""
            query GetSlurmEnvironment($id: ID!) {
              slurmEnvironment(id: $id) {
                ...SlurmEnvironmentFields
              }
            }

            fragment SlurmEnvironmentFields on SlurmEnvironment {
              id
              name
              maxNodes
              gpuPerNode
              gpuTier
              totalGpus
              gpusPlaced
              teamId
              status
              statusReason
              sshHost
              sshPort
              sshUser
              hourlyPrice
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query,
            operation_name="GetSlurmEnvironment",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return GetSlurmEnvironment.model_validate(data)

    def create_slurm_environment(
        self,
        input: CreateSlurmEnvironmentInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateSlurmEnvironment:
        query = gql("""
            mutation CreateSlurmEnvironment($input: CreateSlurmEnvironmentInput!, $dryRun: Boolean) {
              createSlurmEnvironment(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                slurmEnvironment {
                  ...SlurmEnvironmentFields
                }
              }
            }

            fragment SlurmEnvironmentFields on SlurmEnvironment {
              id
              name
              maxNodes
              gpuPerNode
              gpuTier
              totalGpus
              gpusPlaced
              teamId
              status
              statusReason
              sshHost
              sshPort
              sshUser
              hourlyPrice
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="CreateSlurmEnvironment",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return CreateSlurmEnvironment.model_validate(data)

    def delete_slurm_environment(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteSlurmEnvironment:
        query = gql("""
            mutation DeleteSlurmEnvironment($id: ID!, $dryRun: Boolean) {
              deleteSlurmEnvironment(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                slurmEnvironment {
                  ...SlurmEnvironmentFields
                }
              }
            }

            fragment SlurmEnvironmentFields on SlurmEnvironment {
              id
              name
              maxNodes
              gpuPerNode
              gpuTier
              totalGpus
              gpusPlaced
              teamId
              status
              statusReason
              sshHost
              sshPort
              sshUser
              hourlyPrice
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="DeleteSlurmEnvironment",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeleteSlurmEnvironment.model_validate(data)

    def list_spending_alerts(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListSpendingAlerts:
        query = gql("""
            query ListSpendingAlerts($maxResults: Int, $nextToken: String) {
              spendingAlerts(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...SpendingAlertFields
                }
                nextToken
              }
            }

            fragment SpendingAlertFields on SpendingAlert {
              id
              name
              threshold
              notifyVia
              armed
              lastFiredAt
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query,
            operation_name="ListSpendingAlerts",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListSpendingAlerts.model_validate(data)

    def get_spending_alert(self, id: str, **kwargs: Any) -> GetSpendingAlert:
        query = gql("""
            query GetSpendingAlert($id: ID!) {
              spendingAlert(id: $id) {
                ...SpendingAlertFields
              }
            }

            fragment SpendingAlertFields on SpendingAlert {
              id
              name
              threshold
              notifyVia
              armed
              lastFiredAt
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query,
            operation_name="GetSpendingAlert",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return GetSpendingAlert.model_validate(data)

    def create_spending_alert(
        self,
        input: CreateSpendingAlertInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateSpendingAlert:
        query = gql("""
            mutation CreateSpendingAlert($input: CreateSpendingAlertInput!, $dryRun: Boolean) {
              createSpendingAlert(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                spendingAlert {
                  ...SpendingAlertFields
                }
              }
            }

            fragment SpendingAlertFields on SpendingAlert {
              id
              name
              threshold
              notifyVia
              armed
              lastFiredAt
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="CreateSpendingAlert",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return CreateSpendingAlert.model_validate(data)

    def update_spending_alert(
        self,
        id: str,
        input: UpdateSpendingAlertInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UpdateSpendingAlert:
        query = gql("""
            mutation UpdateSpendingAlert($id: ID!, $input: UpdateSpendingAlertInput!, $dryRun: Boolean) {
              updateSpendingAlert(id: $id, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                spendingAlert {
                  ...SpendingAlertFields
                }
              }
            }

            fragment SpendingAlertFields on SpendingAlert {
              id
              name
              threshold
              notifyVia
              armed
              lastFiredAt
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "input": input, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="UpdateSpendingAlert",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return UpdateSpendingAlert.model_validate(data)

    def delete_spending_alert(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteSpendingAlert:
        query = gql("""
            mutation DeleteSpendingAlert($id: ID!, $dryRun: Boolean) {
              deleteSpendingAlert(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                spendingAlert {
                  ...SpendingAlertFields
                }
              }
            }

            fragment SpendingAlertFields on SpendingAlert {
              id
              name
              threshold
              notifyVia
              armed
              lastFiredAt
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="DeleteSpendingAlert",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeleteSpendingAlert.model_validate(data)

    def list_ssh_key_groups(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListSshKeyGroups:
        query = gql("""
            query ListSshKeyGroups($maxResults: Int, $nextToken: String) {
              sshKeyGroups(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...SshKeyGroupFields
                }
                nextToken
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }

            fragment SshKeyGroupFields on SshKeyGroup {
              id
              name
              description
              createdAt
              keys {
                ...SshKeyFields
              }
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query,
            operation_name="ListSshKeyGroups",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListSshKeyGroups.model_validate(data)

    def get_ssh_key_group(self, id: str, **kwargs: Any) -> GetSshKeyGroup:
        query = gql("""
            query GetSshKeyGroup($id: ID!) {
              sshKeyGroup(id: $id) {
                ...SshKeyGroupFields
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }

            fragment SshKeyGroupFields on SshKeyGroup {
              id
              name
              description
              createdAt
              keys {
                ...SshKeyFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetSshKeyGroup", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetSshKeyGroup.model_validate(data)

    def create_ssh_key_group(
        self,
        input: CreateSshKeyGroupInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateSshKeyGroup:
        query = gql("""
            mutation CreateSshKeyGroup($input: CreateSshKeyGroupInput!, $dryRun: Boolean) {
              createSshKeyGroup(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                sshKeyGroup {
                  ...SshKeyGroupFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }

            fragment SshKeyGroupFields on SshKeyGroup {
              id
              name
              description
              createdAt
              keys {
                ...SshKeyFields
              }
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="CreateSshKeyGroup",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return CreateSshKeyGroup.model_validate(data)

    def delete_ssh_key_group(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteSshKeyGroup:
        query = gql("""
            mutation DeleteSshKeyGroup($id: ID!, $dryRun: Boolean) {
              deleteSshKeyGroup(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                sshKeyGroup {
                  ...SshKeyGroupFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }

            fragment SshKeyGroupFields on SshKeyGroup {
              id
              name
              description
              createdAt
              keys {
                ...SshKeyFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query,
            operation_name="DeleteSshKeyGroup",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeleteSshKeyGroup.model_validate(data)

    def add_ssh_key_to_group(
        self,
        group_id: str,
        ssh_key_id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> AddSshKeyToGroup:
        query = gql("""
            mutation AddSshKeyToGroup($groupId: ID!, $sshKeyId: ID!, $dryRun: Boolean) {
              addSshKeyToGroup(groupId: $groupId, sshKeyId: $sshKeyId, dryRun: $dryRun) {
                dryRun
                valid
                sshKeyGroup {
                  ...SshKeyGroupFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }

            fragment SshKeyGroupFields on SshKeyGroup {
              id
              name
              description
              createdAt
              keys {
                ...SshKeyFields
              }
            }
            """)
        variables: dict[str, object] = {
            "groupId": group_id,
            "sshKeyId": ssh_key_id,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query,
            operation_name="AddSshKeyToGroup",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return AddSshKeyToGroup.model_validate(data)

    def remove_ssh_key_from_group(
        self,
        group_id: str,
        ssh_key_id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> RemoveSshKeyFromGroup:
        query = gql("""
            mutation RemoveSshKeyFromGroup($groupId: ID!, $sshKeyId: ID!, $dryRun: Boolean) {
              removeSshKeyFromGroup(groupId: $groupId, sshKeyId: $sshKeyId, dryRun: $dryRun) {
                dryRun
                valid
                sshKeyGroup {
                  ...SshKeyGroupFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }

            fragment SshKeyGroupFields on SshKeyGroup {
              id
              name
              description
              createdAt
              keys {
                ...SshKeyFields
              }
            }
            """)
        variables: dict[str, object] = {
            "groupId": group_id,
            "sshKeyId": ssh_key_id,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query,
            operation_name="RemoveSshKeyFromGroup",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return RemoveSshKeyFromGroup.model_validate(data)

    def list_ssh_keys(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListSshKeys:
        query = gql("""
            query ListSshKeys($maxResults: Int, $nextToken: String) {
              sshKeys(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...SshKeyFields
                }
                nextToken
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListSshKeys", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListSshKeys.model_validate(data)

    def get_ssh_key(self, id: str, **kwargs: Any) -> GetSshKey:
        query = gql("""
            query GetSshKey($id: ID!) {
              sshKey(id: $id) {
                ...SshKeyFields
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetSshKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetSshKey.model_validate(data)

    def upload_ssh_key(
        self,
        input: UploadSshKeyInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UploadSshKey:
        query = gql("""
            mutation UploadSshKey($input: UploadSshKeyInput!, $dryRun: Boolean) {
              uploadSshKey(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                sshKey {
                  ...SshKeyFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="UploadSshKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UploadSshKey.model_validate(data)

    def generate_ssh_key(
        self,
        name: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> GenerateSshKey:
        query = gql("""
            mutation GenerateSshKey($name: String!, $dryRun: Boolean) {
              generateSshKey(name: $name, dryRun: $dryRun) {
                dryRun
                valid
                privateKey
                sshKey {
                  ...SshKeyFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }
            """)
        variables: dict[str, object] = {"name": name, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="GenerateSshKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GenerateSshKey.model_validate(data)

    def delete_ssh_key(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteSshKey:
        query = gql("""
            mutation DeleteSshKey($id: ID!, $dryRun: Boolean) {
              deleteSshKey(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                sshKey {
                  ...SshKeyFields
                }
              }
            }

            fragment SshKeyFields on SshKey {
              id
              name
              publicKey
              fingerprint
              keyType
              bits
              createdAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteSshKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteSshKey.model_validate(data)

    def list_teams(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        mine_only: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListTeams:
        query = gql("""
            query ListTeams($maxResults: Int, $nextToken: String, $mineOnly: Boolean) {
              teams(maxResults: $maxResults, nextToken: $nextToken, mineOnly: $mineOnly) {
                items {
                  ...TeamFields
                }
                nextToken
              }
            }

            fragment TeamFields on Team {
              id
              name
              description
              createdBy
              createdAt
              role
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
            "mineOnly": mine_only,
        }
        response = self.execute(
            query=query, operation_name="ListTeams", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListTeams.model_validate(data)

    def get_team(self, id: str, **kwargs: Any) -> GetTeam:
        query = gql("""
            query GetTeam($id: ID!) {
              team(id: $id) {
                ...TeamFields
              }
            }

            fragment TeamFields on Team {
              id
              name
              description
              createdBy
              createdAt
              role
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetTeam", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetTeam.model_validate(data)

    def list_team_members(
        self,
        team_id: str,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListTeamMembers:
        query = gql("""
            query ListTeamMembers($teamId: ID!, $maxResults: Int, $nextToken: String) {
              teamMembers(teamId: $teamId, maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...TeamMemberFields
                }
                nextToken
              }
            }

            fragment TeamMemberFields on TeamMember {
              id
              teamId
              accountId
              email
              role
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "teamId": team_id,
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListTeamMembers", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListTeamMembers.model_validate(data)

    def create_team(
        self,
        input: CreateTeamInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateTeam:
        query = gql("""
            mutation CreateTeam($input: CreateTeamInput!, $dryRun: Boolean) {
              createTeam(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                team {
                  ...TeamFields
                }
              }
            }

            fragment TeamFields on Team {
              id
              name
              description
              createdBy
              createdAt
              role
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateTeam", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateTeam.model_validate(data)

    def add_team_member(
        self,
        team_id: str,
        input: AddTeamMemberInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> AddTeamMember:
        query = gql("""
            mutation AddTeamMember($teamId: ID!, $input: AddTeamMemberInput!, $dryRun: Boolean) {
              addTeamMember(teamId: $teamId, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                member {
                  ...TeamMemberFields
                }
              }
            }

            fragment TeamMemberFields on TeamMember {
              id
              teamId
              accountId
              email
              role
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "teamId": team_id,
            "input": input,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query, operation_name="AddTeamMember", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return AddTeamMember.model_validate(data)

    def update_team_member(
        self,
        team_id: str,
        member_id: str,
        role: TeamRole,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UpdateTeamMember:
        query = gql("""
            mutation UpdateTeamMember($teamId: ID!, $memberId: ID!, $role: TeamRole!, $dryRun: Boolean) {
              updateTeamMember(
                teamId: $teamId
                memberId: $memberId
                role: $role
                dryRun: $dryRun
              ) {
                dryRun
                valid
                member {
                  ...TeamMemberFields
                }
              }
            }

            fragment TeamMemberFields on TeamMember {
              id
              teamId
              accountId
              email
              role
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "teamId": team_id,
            "memberId": member_id,
            "role": role,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query,
            operation_name="UpdateTeamMember",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return UpdateTeamMember.model_validate(data)

    def remove_team_member(
        self,
        team_id: str,
        member_id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> RemoveTeamMember:
        query = gql("""
            mutation RemoveTeamMember($teamId: ID!, $memberId: ID!, $dryRun: Boolean) {
              removeTeamMember(teamId: $teamId, memberId: $memberId, dryRun: $dryRun) {
                dryRun
                valid
                member {
                  ...TeamMemberFields
                }
              }
            }

            fragment TeamMemberFields on TeamMember {
              id
              teamId
              accountId
              email
              role
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "teamId": team_id,
            "memberId": member_id,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query,
            operation_name="RemoveTeamMember",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return RemoveTeamMember.model_validate(data)

    def get_token_balance(self, **kwargs: Any) -> GetTokenBalance:
        query = gql("""
            query GetTokenBalance {
              tokenBalance {
                ...TokenBalanceFields
              }
            }

            fragment TokenBalanceFields on TokenBalance {
              balance
              reserved
              available
              updatedAt
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="GetTokenBalance", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetTokenBalance.model_validate(data)

    def list_token_usage(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        since: Union[Optional[str], UnsetType] = UNSET,
        until: Union[Optional[str], UnsetType] = UNSET,
        model: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListTokenUsage:
        query = gql("""
            query ListTokenUsage($maxResults: Int, $nextToken: String, $since: String, $until: String, $model: String) {
              tokenUsage(
                maxResults: $maxResults
                nextToken: $nextToken
                since: $since
                until: $until
                model: $model
              ) {
                items {
                  ...TokenUsageFields
                }
                nextToken
              }
            }

            fragment TokenUsageFields on TokenUsage {
              id
              model
              promptTokens
              completionTokens
              multiplier
              charged
              requestId
              apiKeyId
              accountId
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
            "since": since,
            "until": until,
            "model": model,
        }
        response = self.execute(
            query=query, operation_name="ListTokenUsage", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListTokenUsage.model_validate(data)

    def list_token_packages(self, **kwargs: Any) -> ListTokenPackages:
        query = gql("""
            query ListTokenPackages {
              tokenPackages {
                ...TokenPackageFields
              }
            }

            fragment TokenPackageFields on TokenPackage {
              id
              name
              tokens
              price
              currency
              pricePerMillion
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query,
            operation_name="ListTokenPackages",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListTokenPackages.model_validate(data)

    def purchase_tokens(
        self,
        input: PurchaseTokensInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> PurchaseTokens:
        query = gql("""
            mutation PurchaseTokens($input: PurchaseTokensInput!, $dryRun: Boolean) {
              purchaseTokens(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                purchase {
                  ...TokenPurchaseFields
                }
              }
            }

            fragment TokenPurchaseFields on TokenPurchase {
              id
              kind
              amount
              packageId
              price
              currency
              balance
              accountId
              createdAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="PurchaseTokens", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return PurchaseTokens.model_validate(data)

    def list_vm_disks(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        vm_id: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListVmDisks:
        query = gql("""
            query ListVmDisks($maxResults: Int, $nextToken: String, $vmId: String) {
              vmDisks(maxResults: $maxResults, nextToken: $nextToken, vmId: $vmId) {
                items {
                  ...VmDiskFields
                }
                nextToken
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
            "vmId": vm_id,
        }
        response = self.execute(
            query=query, operation_name="ListVmDisks", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListVmDisks.model_validate(data)

    def get_vm_disk(self, id: str, **kwargs: Any) -> GetVmDisk:
        query = gql("""
            query GetVmDisk($id: ID!) {
              vmDisk(id: $id) {
                ...VmDiskFields
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetVmDisk", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetVmDisk.model_validate(data)

    def create_vm_disk(
        self,
        input: CreateVmDiskInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateVmDisk:
        query = gql("""
            mutation CreateVmDisk($input: CreateVmDiskInput!, $dryRun: Boolean) {
              createVmDisk(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                vmDisk {
                  ...VmDiskFields
                }
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateVmDisk", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateVmDisk.model_validate(data)

    def attach_vm_disk(
        self,
        id: str,
        vm_id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> AttachVmDisk:
        query = gql("""
            mutation AttachVmDisk($id: ID!, $vmId: String!, $dryRun: Boolean) {
              attachVmDisk(id: $id, vmId: $vmId, dryRun: $dryRun) {
                dryRun
                valid
                vmDisk {
                  ...VmDiskFields
                }
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "vmId": vm_id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="AttachVmDisk", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return AttachVmDisk.model_validate(data)

    def detach_vm_disk(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DetachVmDisk:
        query = gql("""
            mutation DetachVmDisk($id: ID!, $dryRun: Boolean) {
              detachVmDisk(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vmDisk {
                  ...VmDiskFields
                }
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DetachVmDisk", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DetachVmDisk.model_validate(data)

    def resize_vm_disk(
        self,
        id: str,
        size_gb: int,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ResizeVmDisk:
        query = gql("""
            mutation ResizeVmDisk($id: ID!, $sizeGb: Int!, $dryRun: Boolean) {
              resizeVmDisk(id: $id, sizeGb: $sizeGb, dryRun: $dryRun) {
                dryRun
                valid
                vmDisk {
                  ...VmDiskFields
                }
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "sizeGb": size_gb, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="ResizeVmDisk", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ResizeVmDisk.model_validate(data)

    def delete_vm_disk(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteVmDisk:
        query = gql("""
            mutation DeleteVmDisk($id: ID!, $dryRun: Boolean) {
              deleteVmDisk(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vmDisk {
                  ...VmDiskFields
                }
              }
            }

            fragment VmDiskFields on VmDisk {
              id
              name
              sizeGb
              status
              vmId
              teamId
              accountId
              attachedAt
              createdAt
              updatedAt
              deletedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteVmDisk", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteVmDisk.model_validate(data)

    def list_vm_templates(self, **kwargs: Any) -> ListVmTemplates:
        query = gql("""
            query ListVmTemplates {
              vmTemplates {
                ...VmTemplateFields
              }
            }

            fragment VmTemplateFields on VmTemplate {
              id
              name
              description
              os
              gpu
              gpuTier
              defaultCpu
              maxCpu
              defaultMemoryGb
              maxMemoryGb
              defaultDiskGb
              minDiskGb
              maxDiskGb
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="ListVmTemplates", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListVmTemplates.model_validate(data)

    def get_vm_template(self, id: str, **kwargs: Any) -> GetVmTemplate:
        query = gql("""
            query GetVmTemplate($id: ID!) {
              vmTemplate(id: $id) {
                ...VmTemplateFields
              }
            }

            fragment VmTemplateFields on VmTemplate {
              id
              name
              description
              os
              gpu
              gpuTier
              defaultCpu
              maxCpu
              defaultMemoryGb
              maxMemoryGb
              defaultDiskGb
              minDiskGb
              maxDiskGb
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetVmTemplate", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetVmTemplate.model_validate(data)

    def list_vms(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        status: Union[Optional[VmStatus], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListVms:
        query = gql("""
            query ListVms($maxResults: Int, $nextToken: String, $status: VmStatus) {
              vms(maxResults: $maxResults, nextToken: $nextToken, status: $status) {
                items {
                  ...VmFields
                }
                nextToken
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
            "status": status,
        }
        response = self.execute(
            query=query, operation_name="ListVms", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListVms.model_validate(data)

    def get_vm(self, id: str, **kwargs: Any) -> GetVm:
        query = gql("""
            query GetVm($id: ID!) {
              vm(id: $id) {
                ...VmFields
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetVm.model_validate(data)

    def list_vm_network_attachments(
        self, vm_id: str, **kwargs: Any
    ) -> ListVmNetworkAttachments:
        query = gql("""
            query ListVmNetworkAttachments($vmId: ID!) {
              vmNetworkAttachments(vmId: $vmId) {
                ...VmNetworkAttachmentFields
              }
            }

            fragment VmNetworkAttachmentFields on VmNetworkAttachment {
              vmId
              networkId
              name
              subnetId
              cidr
              ipAddress
              createdAt
            }
            """)
        variables: dict[str, object] = {"vmId": vm_id}
        response = self.execute(
            query=query,
            operation_name="ListVmNetworkAttachments",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListVmNetworkAttachments.model_validate(data)

    def list_vm_networks(
        self,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListVmNetworks:
        query = gql("""
            query ListVmNetworks($maxResults: Int, $nextToken: String) {
              vmNetworks(maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...VmNetworkFields
                }
                nextToken
              }
            }

            fragment VmNetworkFields on VmNetwork {
              id
              name
              description
              teamId
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListVmNetworks", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListVmNetworks.model_validate(data)

    def get_vm_network(self, id: str, **kwargs: Any) -> GetVmNetwork:
        query = gql("""
            query GetVmNetwork($id: ID!) {
              vmNetwork(id: $id) {
                ...VmNetworkFields
              }
            }

            fragment VmNetworkFields on VmNetwork {
              id
              name
              description
              teamId
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetVmNetwork", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetVmNetwork.model_validate(data)

    def list_subnets(
        self,
        network_id: str,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListSubnets:
        query = gql("""
            query ListSubnets($networkId: ID!, $maxResults: Int, $nextToken: String) {
              subnets(networkId: $networkId, maxResults: $maxResults, nextToken: $nextToken) {
                items {
                  ...SubnetFields
                }
                nextToken
              }
            }

            fragment SubnetFields on Subnet {
              id
              networkId
              name
              cidr
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "networkId": network_id,
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query, operation_name="ListSubnets", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListSubnets.model_validate(data)

    def list_firewall_rules(
        self,
        network_id: str,
        max_results: Union[Optional[int], UnsetType] = UNSET,
        next_token: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListFirewallRules:
        query = gql("""
            query ListFirewallRules($networkId: ID!, $maxResults: Int, $nextToken: String) {
              firewallRules(
                networkId: $networkId
                maxResults: $maxResults
                nextToken: $nextToken
              ) {
                items {
                  ...FirewallRuleFields
                }
                nextToken
              }
            }

            fragment FirewallRuleFields on FirewallRule {
              id
              networkId
              direction
              protocol
              portRange
              source
              action
              description
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "networkId": network_id,
            "maxResults": max_results,
            "nextToken": next_token,
        }
        response = self.execute(
            query=query,
            operation_name="ListFirewallRules",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return ListFirewallRules.model_validate(data)

    def create_vm(
        self,
        input: CreateVmInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateVm:
        query = gql("""
            mutation CreateVm($input: CreateVmInput!, $dryRun: Boolean) {
              createVm(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                vm {
                  ...VmFields
                }
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateVm.model_validate(data)

    def update_vm(
        self,
        id: str,
        input: UpdateVmInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UpdateVm:
        query = gql("""
            mutation UpdateVm($id: ID!, $input: UpdateVmInput!, $dryRun: Boolean) {
              updateVm(id: $id, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                vm {
                  ...VmFields
                }
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="UpdateVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UpdateVm.model_validate(data)

    def start_vm(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> StartVm:
        query = gql("""
            mutation StartVm($id: ID!, $dryRun: Boolean) {
              startVm(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vm {
                  ...VmFields
                }
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="StartVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return StartVm.model_validate(data)

    def stop_vm(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> StopVm:
        query = gql("""
            mutation StopVm($id: ID!, $dryRun: Boolean) {
              stopVm(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vm {
                  ...VmFields
                }
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="StopVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return StopVm.model_validate(data)

    def reboot_vm(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> RebootVm:
        query = gql("""
            mutation RebootVm($id: ID!, $dryRun: Boolean) {
              rebootVm(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vm {
                  ...VmFields
                }
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="RebootVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RebootVm.model_validate(data)

    def delete_vm(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteVm:
        query = gql("""
            mutation DeleteVm($id: ID!, $dryRun: Boolean) {
              deleteVm(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vm {
                  ...VmFields
                }
              }
            }

            fragment VmFields on Vm {
              id
              name
              templateId
              cpu
              memoryGb
              diskGb
              gpuTier
              sshKey
              sshKeyGroup
              teamId
              status
              statusReason
              sshHost
              sshPort
              autoStopAfterMinutes
              autoStopAt
              accountId
              createdAt
              updatedAt
              terminatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteVm", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteVm.model_validate(data)

    def attach_vm_network(
        self,
        vm_id: str,
        input: AttachVmNetworkInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> AttachVmNetwork:
        query = gql("""
            mutation AttachVmNetwork($vmId: ID!, $input: AttachVmNetworkInput!, $dryRun: Boolean) {
              attachVmNetwork(vmId: $vmId, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                vmNetwork {
                  ...VmNetworkAttachmentFields
                }
              }
            }

            fragment VmNetworkAttachmentFields on VmNetworkAttachment {
              vmId
              networkId
              name
              subnetId
              cidr
              ipAddress
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "vmId": vm_id,
            "input": input,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query, operation_name="AttachVmNetwork", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return AttachVmNetwork.model_validate(data)

    def detach_vm_network(
        self,
        vm_id: str,
        network_id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> DetachVmNetwork:
        query = gql("""
            mutation DetachVmNetwork($vmId: ID!, $networkId: ID!, $dryRun: Boolean) {
              detachVmNetwork(vmId: $vmId, networkId: $networkId, dryRun: $dryRun) {
                dryRun
                valid
                vmNetwork {
                  ...VmNetworkAttachmentFields
                }
              }
            }

            fragment VmNetworkAttachmentFields on VmNetworkAttachment {
              vmId
              networkId
              name
              subnetId
              cidr
              ipAddress
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "vmId": vm_id,
            "networkId": network_id,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query, operation_name="DetachVmNetwork", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DetachVmNetwork.model_validate(data)

    def create_vm_network(
        self,
        input: CreateVmNetworkInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateVmNetwork:
        query = gql("""
            mutation CreateVmNetwork($input: CreateVmNetworkInput!, $dryRun: Boolean) {
              createVmNetwork(input: $input, dryRun: $dryRun) {
                dryRun
                valid
                vmNetwork {
                  ...VmNetworkFields
                }
              }
            }

            fragment VmNetworkFields on VmNetwork {
              id
              name
              description
              teamId
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"input": input, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="CreateVmNetwork", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateVmNetwork.model_validate(data)

    def delete_vm_network(
        self, id: str, dry_run: Union[Optional[bool], UnsetType] = UNSET, **kwargs: Any
    ) -> DeleteVmNetwork:
        query = gql("""
            mutation DeleteVmNetwork($id: ID!, $dryRun: Boolean) {
              deleteVmNetwork(id: $id, dryRun: $dryRun) {
                dryRun
                valid
                vmNetwork {
                  ...VmNetworkFields
                }
              }
            }

            fragment VmNetworkFields on VmNetwork {
              id
              name
              description
              teamId
              accountId
              createdAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"id": id, "dryRun": dry_run}
        response = self.execute(
            query=query, operation_name="DeleteVmNetwork", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteVmNetwork.model_validate(data)

    def create_subnet(
        self,
        network_id: str,
        input: CreateSubnetInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateSubnet:
        query = gql("""
            mutation CreateSubnet($networkId: ID!, $input: CreateSubnetInput!, $dryRun: Boolean) {
              createSubnet(networkId: $networkId, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                subnet {
                  ...SubnetFields
                }
              }
            }

            fragment SubnetFields on Subnet {
              id
              networkId
              name
              cidr
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "networkId": network_id,
            "input": input,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query, operation_name="CreateSubnet", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateSubnet.model_validate(data)

    def delete_subnet(
        self,
        network_id: str,
        id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> DeleteSubnet:
        query = gql("""
            mutation DeleteSubnet($networkId: ID!, $id: ID!, $dryRun: Boolean) {
              deleteSubnet(networkId: $networkId, id: $id, dryRun: $dryRun) {
                dryRun
                valid
                subnet {
                  ...SubnetFields
                }
              }
            }

            fragment SubnetFields on Subnet {
              id
              networkId
              name
              cidr
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "networkId": network_id,
            "id": id,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query, operation_name="DeleteSubnet", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteSubnet.model_validate(data)

    def create_firewall_rule(
        self,
        network_id: str,
        input: CreateFirewallRuleInput,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateFirewallRule:
        query = gql("""
            mutation CreateFirewallRule($networkId: ID!, $input: CreateFirewallRuleInput!, $dryRun: Boolean) {
              createFirewallRule(networkId: $networkId, input: $input, dryRun: $dryRun) {
                dryRun
                valid
                firewallRule {
                  ...FirewallRuleFields
                }
              }
            }

            fragment FirewallRuleFields on FirewallRule {
              id
              networkId
              direction
              protocol
              portRange
              source
              action
              description
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "networkId": network_id,
            "input": input,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query,
            operation_name="CreateFirewallRule",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return CreateFirewallRule.model_validate(data)

    def delete_firewall_rule(
        self,
        network_id: str,
        id: str,
        dry_run: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> DeleteFirewallRule:
        query = gql("""
            mutation DeleteFirewallRule($networkId: ID!, $id: ID!, $dryRun: Boolean) {
              deleteFirewallRule(networkId: $networkId, id: $id, dryRun: $dryRun) {
                dryRun
                valid
                firewallRule {
                  ...FirewallRuleFields
                }
              }
            }

            fragment FirewallRuleFields on FirewallRule {
              id
              networkId
              direction
              protocol
              portRange
              source
              action
              description
              createdAt
            }
            """)
        variables: dict[str, object] = {
            "networkId": network_id,
            "id": id,
            "dryRun": dry_run,
        }
        response = self.execute(
            query=query,
            operation_name="DeleteFirewallRule",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeleteFirewallRule.model_validate(data)
