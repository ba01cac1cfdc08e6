"""Every GraphQL mutation as one document with a ``$dry`` variable, and people who call them.

``OPS`` holds, per mutation, its parameters, arguments and the payload selection; ``op(name)`` builds
``mutation($params, $dry: Boolean!) { name(args, dryRun: $dry) { dryRun valid <selection> } }``.
``Person`` is one account (signed in with a dev-issuer token, so a new tenant or a new account in an
existing tenant costs no CLI call) with helpers that call those documents and check the payload
pattern.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.auth import dev_issuer
from tests.support.graphql import gql_data, gql_error
from tests.support.server import Server, wait_for

INSTANCE = "id name tier workloadType storageGb status statusReason sshKeyGroup terminatedAt updatedAt owner { id }"
TEAM = "id name description createdBy role"
MEMBER = "id teamId accountId email role"
API_KEY = "id name prefix scopes permissions expiresAt revokedAt"
SSH_KEY = "id name publicKey fingerprint keyType bits"
GROUP = f"id name description keys {{ {SSH_KEY} }}"
# issue 10's families
VM = ("id name templateId cpu memoryGb diskGb gpuTier sshKey sshKeyGroup teamId status statusReason sshHost "
      "sshPort autoStopAfterMinutes autoStopAt accountId createdAt updatedAt terminatedAt")
ATTACHMENT = "vmId networkId name subnetId cidr ipAddress createdAt"
NETWORK = "id name description teamId accountId createdAt updatedAt"
SUBNET = "id networkId name cidr createdAt"
RULE = "id networkId direction protocol portRange source action description createdAt"
DISK = "id name sizeGb status vmId teamId accountId attachedAt createdAt updatedAt deletedAt"
CLUSTER = "id name version status statusReason teamId serverUrl createdAt updatedAt terminatedAt owner { id }"
SLURM = ("id name maxNodes gpuPerNode gpuTier totalGpus gpusPlaced teamId status statusReason sshHost sshPort "
         "sshUser hourlyPrice accountId createdAt updatedAt terminatedAt")
FUNCTION = ("id name image entrypoint gpuTier timeoutSeconds envVars secretEnvVarNames teamId status pricePerHour "
            "accountId createdAt updatedAt deletedAt")
RUN = ("id functionId status statusReason input output error logs exitCode gpuTier timeoutSeconds pricePerHour "
       "durationSeconds cost accountId teamId createdAt updatedAt startedAt finishedAt")
# issue 11: prepaid tokens and spending alerts
PURCHASE = "id kind amount packageId price currency balance accountId createdAt"
ALERT = "id name threshold notifyVia armed lastFiredAt accountId createdAt updatedAt"
# issue 11: model deployments
MODEL = ("id name model engine kind minReplicas maxReplicas resourceProfile gpuTier status statusReason "
         "desiredReplicas readyReplicas upstream huggingfaceTokenSet teamId accountId createdAt updatedAt deletedAt")

# mutation name: (variable definitions, arguments, payload selection after `dryRun valid`)
OPS: dict[str, tuple[str, str, str]] = {
    "createInstance": ("$input: CreateInstanceInput!", "input: $input", f"instance {{ {INSTANCE} }}"),
    "updateInstance": ("$id: ID!, $input: UpdateInstanceInput!", "id: $id, input: $input",
                       f"instance {{ {INSTANCE} }}"),
    "startInstance": ("$id: ID!", "id: $id", f"instance {{ {INSTANCE} }}"),
    "stopInstance": ("$id: ID!", "id: $id", f"instance {{ {INSTANCE} }}"),
    "requeueInstance": ("$id: ID!", "id: $id", f"instance {{ {INSTANCE} }}"),
    "deleteInstance": ("$id: ID!", "id: $id", f"instance {{ {INSTANCE} }}"),
    "createTeam": ("$input: CreateTeamInput!", "input: $input", f"team {{ {TEAM} }}"),
    "addTeamMember": ("$teamId: ID!, $input: AddTeamMemberInput!", "teamId: $teamId, input: $input",
                      f"member {{ {MEMBER} }}"),
    "updateTeamMember": ("$teamId: ID!, $memberId: ID!, $role: TeamRole!",
                         "teamId: $teamId, memberId: $memberId, role: $role", f"member {{ {MEMBER} }}"),
    "removeTeamMember": ("$teamId: ID!, $memberId: ID!", "teamId: $teamId, memberId: $memberId",
                         f"member {{ {MEMBER} }}"),
    "createApiKey": ("$input: CreateApiKeyInput!", "input: $input", f"key apiKey {{ {API_KEY} }}"),
    "revokeApiKey": ("$id: ID!", "id: $id", f"apiKey {{ {API_KEY} }}"),
    "uploadSshKey": ("$input: UploadSshKeyInput!", "input: $input", f"sshKey {{ {SSH_KEY} }}"),
    "generateSshKey": ("$name: String!", "name: $name", f"privateKey sshKey {{ {SSH_KEY} }}"),
    "deleteSshKey": ("$id: ID!", "id: $id", f"sshKey {{ {SSH_KEY} }}"),
    "createSshKeyGroup": ("$input: CreateSshKeyGroupInput!", "input: $input", f"sshKeyGroup {{ {GROUP} }}"),
    "deleteSshKeyGroup": ("$id: ID!", "id: $id", f"sshKeyGroup {{ {GROUP} }}"),
    "addSshKeyToGroup": ("$groupId: ID!, $sshKeyId: ID!", "groupId: $groupId, sshKeyId: $sshKeyId",
                         f"sshKeyGroup {{ {GROUP} }}"),
    "removeSshKeyFromGroup": ("$groupId: ID!, $sshKeyId: ID!", "groupId: $groupId, sshKeyId: $sshKeyId",
                              f"sshKeyGroup {{ {GROUP} }}"),
    "createVm": ("$input: CreateVmInput!", "input: $input", f"vm {{ {VM} }}"),
    "updateVm": ("$id: ID!, $input: UpdateVmInput!", "id: $id, input: $input", f"vm {{ {VM} }}"),
    "startVm": ("$id: ID!", "id: $id", f"vm {{ {VM} }}"),
    "stopVm": ("$id: ID!", "id: $id", f"vm {{ {VM} }}"),
    "rebootVm": ("$id: ID!", "id: $id", f"vm {{ {VM} }}"),
    "deleteVm": ("$id: ID!", "id: $id", f"vm {{ {VM} }}"),
    "attachVmNetwork": ("$vmId: ID!, $input: AttachVmNetworkInput!", "vmId: $vmId, input: $input",
                        f"vmNetwork {{ {ATTACHMENT} }}"),
    "detachVmNetwork": ("$vmId: ID!, $networkId: ID!", "vmId: $vmId, networkId: $networkId",
                        f"vmNetwork {{ {ATTACHMENT} }}"),
    "createVmNetwork": ("$input: CreateVmNetworkInput!", "input: $input", f"vmNetwork {{ {NETWORK} }}"),
    "deleteVmNetwork": ("$id: ID!", "id: $id", f"vmNetwork {{ {NETWORK} }}"),
    "createSubnet": ("$networkId: ID!, $input: CreateSubnetInput!", "networkId: $networkId, input: $input",
                     f"subnet {{ {SUBNET} }}"),
    "deleteSubnet": ("$networkId: ID!, $id: ID!", "networkId: $networkId, id: $id", f"subnet {{ {SUBNET} }}"),
    "createFirewallRule": ("$networkId: ID!, $input: CreateFirewallRuleInput!",
                           "networkId: $networkId, input: $input", f"firewallRule {{ {RULE} }}"),
    "deleteFirewallRule": ("$networkId: ID!, $id: ID!", "networkId: $networkId, id: $id",
                           f"firewallRule {{ {RULE} }}"),
    "createVmDisk": ("$input: CreateVmDiskInput!", "input: $input", f"vmDisk {{ {DISK} }}"),
    "attachVmDisk": ("$id: ID!, $vmId: String!", "id: $id, vmId: $vmId", f"vmDisk {{ {DISK} }}"),
    "detachVmDisk": ("$id: ID!", "id: $id", f"vmDisk {{ {DISK} }}"),
    "resizeVmDisk": ("$id: ID!, $sizeGb: Int!", "id: $id, sizeGb: $sizeGb", f"vmDisk {{ {DISK} }}"),
    "deleteVmDisk": ("$id: ID!", "id: $id", f"vmDisk {{ {DISK} }}"),
    "createCluster": ("$input: CreateClusterInput!", "input: $input", f"cluster {{ {CLUSTER} }}"),
    "deleteCluster": ("$id: ID!", "id: $id", f"cluster {{ {CLUSTER} }}"),
    "createSlurmEnvironment": ("$input: CreateSlurmEnvironmentInput!", "input: $input",
                               f"slurmEnvironment {{ {SLURM} }}"),
    "deleteSlurmEnvironment": ("$id: ID!", "id: $id", f"slurmEnvironment {{ {SLURM} }}"),
    "createFunction": ("$input: CreateFunctionInput!", "input: $input", f"function {{ {FUNCTION} }}"),
    "updateFunction": ("$id: ID!, $input: UpdateFunctionInput!", "id: $id, input: $input",
                       f"function {{ {FUNCTION} }}"),
    "deleteFunction": ("$id: ID!", "id: $id", f"function {{ {FUNCTION} }}"),
    "runFunction": ("$id: ID!, $input: JSON", "id: $id, input: $input", f"run {{ {RUN} }}"),
    "cancelFunctionRun": ("$id: ID!", "id: $id", f"run {{ {RUN} }}"),
    # issue 11: prepaid tokens and spending alerts
    "purchaseTokens": ("$input: PurchaseTokensInput!", "input: $input", f"purchase {{ {PURCHASE} }}"),
    "createSpendingAlert": ("$input: CreateSpendingAlertInput!", "input: $input", f"spendingAlert {{ {ALERT} }}"),
    "updateSpendingAlert": ("$id: ID!, $input: UpdateSpendingAlertInput!", "id: $id, input: $input",
                            f"spendingAlert {{ {ALERT} }}"),
    "deleteSpendingAlert": ("$id: ID!", "id: $id", f"spendingAlert {{ {ALERT} }}"),
    # issue 11: model deployments (addressed by name)
    "deployModel": ("$input: DeployModelInput!", "input: $input", f"modelDeployment {{ {MODEL} }}"),
    "scaleModel": ("$name: String!, $input: ScaleModelInput!", "name: $name, input: $input",
                   f"modelDeployment {{ {MODEL} }}"),
    "stopModel": ("$name: String!", "name: $name", f"modelDeployment {{ {MODEL} }}"),
    "deleteModel": ("$name: String!", "name: $name", f"modelDeployment {{ {MODEL} }}"),
}

QUERIES = {
    "instance": f"query($id: ID!) {{ instance(id: $id) {{ {INSTANCE} }} }}",
    "team": f"query($id: ID!) {{ team(id: $id) {{ {TEAM} }} }}",
    "teamMembers": f"query($id: ID!) {{ teamMembers(teamId: $id, maxResults: 100) {{ items {{ {MEMBER} }} }} }}",
    "apiKey": f"query($id: ID!) {{ apiKey(id: $id) {{ {API_KEY} }} }}",
    "sshKey": f"query($id: ID!) {{ sshKey(id: $id) {{ {SSH_KEY} }} }}",
    "sshKeyGroup": f"query($id: ID!) {{ sshKeyGroup(id: $id) {{ {GROUP} }} }}",
    "vm": f"query($id: ID!) {{ vm(id: $id) {{ {VM} }} }}",
    "vmNetworkAttachments": f"query($id: ID!) {{ vmNetworkAttachments(vmId: $id) {{ {ATTACHMENT} }} }}",
    "vmNetwork": f"query($id: ID!) {{ vmNetwork(id: $id) {{ {NETWORK} }} }}",
    "subnets": f"query($id: ID!) {{ subnets(networkId: $id, maxResults: 100) {{ items {{ {SUBNET} }} }} }}",
    "firewallRules": f"query($id: ID!) {{ firewallRules(networkId: $id, maxResults: 100) {{ items {{ {RULE} }} }} }}",
    "vmDisk": f"query($id: ID!) {{ vmDisk(id: $id) {{ {DISK} }} }}",
    "cluster": f"query($id: ID!) {{ cluster(id: $id) {{ {CLUSTER} }} }}",
    "slurmEnvironment": f"query($id: ID!) {{ slurmEnvironment(id: $id) {{ {SLURM} }} }}",
    "function": f"query($id: ID!) {{ function(id: $id) {{ {FUNCTION} }} }}",
    "functionRun": f"query($id: ID!) {{ functionRun(id: $id) {{ {RUN} }} }}",
    "spendingAlert": f"query($id: ID!) {{ spendingAlert(id: $id) {{ {ALERT} }} }}",  # issue 11
    "modelDeployment": f"query($id: String!) {{ modelDeployment(name: $id) {{ {MODEL} }} }}",  # issue 11, by name
}


def op(name: str) -> str:
    params, args, selection = OPS[name]
    return f"mutation {name[0].upper()}{name[1:]}({params}, $dry: Boolean!) " \
           f"{{ {name}({args}, dryRun: $dry) {{ dryRun valid {selection} }} }}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Person:
    """One account: its tenant, id, email and a client signed in with a dev-issuer token."""

    tenant: str
    id: str
    email: str
    api: httpx.Client

    def call(self, name: str, /, *, dry: bool = False, **variables: Any) -> dict[str, Any]:
        """The payload of mutation ``name``, which must succeed and follow the payload pattern."""
        payload: dict[str, Any] = gql_data(self.api, op(name), {**variables, "dry": dry})[name]
        assert payload["dryRun"] is dry and payload["valid"] is True, payload
        return payload

    def fails(self, name: str, /, *, dry: bool = False, **variables: Any) -> dict[str, Any]:
        """The one error of mutation ``name``, reported at its path."""
        err = gql_error(self.api, op(name), {**variables, "dry": dry})
        assert err["path"] == [name], err
        return err

    def get(self, query: str, id: str) -> dict[str, Any]:
        """One resource by id through ``QUERIES[query]`` (must be found)."""
        found: dict[str, Any] = gql_data(self.api, QUERIES[query], {"id": id})[query]
        return found

    def missing(self, query: str, id: str) -> dict[str, Any]:
        """The error of a ``QUERIES[query]`` lookup that must answer not found (404)."""
        err = gql_error(self.api, QUERIES[query], {"id": id})
        assert err["extensions"]["code"] == "ResourceNotFoundException", err
        assert err["extensions"]["status"] == 404 and err["path"] == [query], err
        return err

    def close(self) -> None:
        self.api.close()


def sign_in(server: Server, tenant: str, email: str) -> Person:
    """``email`` in ``tenant`` (both made on the first call) with a dev-issuer token."""
    token = dev_issuer(server).mint(subject=f"dev:{tenant}/{email.lower()}", email=email, tenant=tenant)
    api = server.client(token)
    viewer = gql_data(api, "{ viewer { id email tenant { name } } }")["viewer"]
    assert viewer["tenant"]["name"] == tenant and viewer["email"] == email.lower(), viewer
    return Person(tenant, viewer["id"], viewer["email"], api)


# -- instances --------------------------------------------------------------------------------------

def new_instance(p: Person, name: str | None = None, tier: str = "mig", **fields: Any) -> dict[str, Any]:
    inst: dict[str, Any] = p.call("createInstance", input={"name": name or unique("gm"), "tier": tier,
                                                            **fields})["instance"]
    assert inst["id"].startswith("inst-") and inst["status"] == "PENDING", inst
    return inst


def wait_status(p: Person, inst_id: str, status: str, timeout: float = 20.0, *,
                query: str = "instance") -> dict[str, Any]:
    """The resource ``inst_id`` (an instance unless ``query`` names another ``QUERIES`` lookup) once
    its status is ``status`` (bounded wait)."""
    def reached() -> dict[str, Any] | None:
        inst = p.get(query, inst_id)
        return inst if inst["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, what=f"{inst_id} to be {status}"))


def running_instance(p: Person, tier: str = "mig", **fields: Any) -> dict[str, Any]:
    return wait_status(p, new_instance(p, tier=tier, **fields)["id"], "RUNNING")


# -- issue 10's families ------------------------------------------------------------------------------

SSH_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtGK3OPT3yb55+33+VIorEs5hTYuNnb4X3/Waa9Si6w gm@laptop"
CPU_TEMPLATE = "tpl-ubuntu-cpu"  # a CPU-only VM takes no GPU slot


def running_vm(p: Person, **fields: Any) -> dict[str, Any]:
    """A new CPU-only VM of ``p``'s, once running."""
    vm = p.call("createVm", input={"name": unique("vm"), "templateId": CPU_TEMPLATE, "sshKey": SSH_PUBLIC_KEY,
                                   **fields})["vm"]
    assert vm["id"].startswith("vm-") and vm["status"] == "PENDING", vm
    return wait_status(p, vm["id"], "RUNNING", query="vm")


def new_network(p: Person, **fields: Any) -> dict[str, Any]:
    net: dict[str, Any] = p.call("createVmNetwork", input={"name": unique("net"), **fields})["vmNetwork"]
    assert net["id"].startswith("net-"), net
    return net


def new_disk(p: Person, size_gb: int = 50) -> dict[str, Any]:
    disk: dict[str, Any] = p.call("createVmDisk", input={"name": unique("disk"), "sizeGb": size_gb})["vmDisk"]
    assert disk["id"].startswith("disk-") and disk["status"] == "AVAILABLE", disk
    return disk


def new_function(p: Person, entrypoint: str = "true", **fields: Any) -> dict[str, Any]:
    """A function on a MIG slice (the other tests' timesliced slot stays free)."""
    fn: dict[str, Any] = p.call("createFunction", input={
        "name": unique("fn"), "image": "registry.gpu.local/gm/app:v1", "entrypoint": entrypoint,
        "gpuTier": "mig", **fields})["function"]
    assert fn["id"].startswith("fn-") and fn["status"] == "active", fn
    return fn


# -- issue 11: model deployments ----------------------------------------------------------------------

def new_model(p: Person, **fields: Any) -> dict[str, Any]:
    """A deployment of ``p``'s at zero replicas (no replica starts until a call)."""
    d: dict[str, Any] = p.call("deployModel", input={"name": unique("mdl"), "model": "org/gm-model",
                                                     "maxReplicas": 2, **fields})["modelDeployment"]
    assert d["id"].startswith("mdl-") and d["status"] == "scaled_to_zero", d
    return d
