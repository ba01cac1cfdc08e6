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
}

QUERIES = {
    "instance": f"query($id: ID!) {{ instance(id: $id) {{ {INSTANCE} }} }}",
    "team": f"query($id: ID!) {{ team(id: $id) {{ {TEAM} }} }}",
    "teamMembers": f"query($id: ID!) {{ teamMembers(teamId: $id, maxResults: 100) {{ items {{ {MEMBER} }} }} }}",
    "apiKey": f"query($id: ID!) {{ apiKey(id: $id) {{ {API_KEY} }} }}",
    "sshKey": f"query($id: ID!) {{ sshKey(id: $id) {{ {SSH_KEY} }} }}",
    "sshKeyGroup": f"query($id: ID!) {{ sshKeyGroup(id: $id) {{ {GROUP} }} }}",
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


def wait_status(p: Person, inst_id: str, status: str, timeout: float = 20.0) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        inst = p.get("instance", inst_id)
        return inst if inst["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, what=f"{inst_id} to be {status}"))


def running_instance(p: Person, tier: str = "mig", **fields: Any) -> dict[str, Any]:
    return wait_status(p, new_instance(p, tier=tier, **fields)["id"], "RUNNING")
