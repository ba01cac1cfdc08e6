"""GraphQL mutations over real HTTP: the payload pattern ``{dryRun, valid, <resource>}`` and
``dryRun: true`` on every mutation (the resource as the call would leave it, nothing written), the
new fields (updateInstance, deleteSshKeyGroup, apiKey, sshKey, sshKeyGroup, instances(status:),
addTeamMember by email), and dry runs under an Idempotency-Key."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.graphql import event_types, gql_data, gql_error
from tests.support.graphql_ops import (
    CPU_TEMPLATE,
    OPS,
    SSH_PUBLIC_KEY,
    Person,
    new_disk,
    new_function,
    new_instance,
    new_model,
    new_network,
    op,
    running_instance,
    running_vm,
    sign_in,
    unique,
    wait_status,
)
from tests.support.server import Server
from tests.support.ssh_keys import keygen_pair
from tests.support.tenant_state import tenant_state

# Timesliced has one slot, so interactive work there preempts batch work (requeueInstance needs
# a preempted instance); the other tiers have room for every test.
INVENTORY = "dedicated=8,mig=8x7,timesliced=1x1"
PAGE = "query($status: InstanceStatus, $max: Int, $next: String) " \
       "{ instances(status: $status, maxResults: $max, nextToken: $next) { items { id status } nextToken } }"

People = Callable[..., Person]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp=Path(tmp_path_factory.mktemp("gm")), extra_env={"ICGPU_LOCAL_INVENTORY": INVENTORY}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def people(server: Server) -> Iterator[People]:
    """``people()`` signs in the first account of a new tenant; ``people(tenant)`` one more account
    there (``email`` optional)."""
    made: list[Person] = []

    def make(tenant: str | None = None, email: str | None = None) -> Person:
        made.append(sign_in(server, tenant or unique("gm-tenant"), email or f"{unique('person')}@example.com"))
        return made[-1]

    yield make
    for p in made:
        p.close()


def listed(p: Person, status: str | None = None, max_results: int = 1) -> list[str]:
    """Every instance id ``instances(status:)`` lists, following nextToken (bounded)."""
    ids: list[str] = []
    token = None
    for _ in range(50):
        page = gql_data(p.api, PAGE, {"status": status, "max": max_results, "next": token})["instances"]
        assert len(page["items"]) <= max_results, page
        assert status is None or all(i["status"] == status for i in page["items"]), page
        ids += [i["id"] for i in page["items"]]
        token = page["nextToken"]
        if token is None:
            return ids
    raise AssertionError("the listing did not end")


def not_found(err: dict[str, Any]) -> None:
    assert err["extensions"]["code"] == "ResourceNotFoundException" and err["extensions"]["status"] == 404, err


def invalid(err: dict[str, Any], field: str) -> None:
    ext = err["extensions"]
    assert ext["code"] == "ValidationException" and ext["status"] == 400 and ext.get("field") == field, err


# -- updateInstance ---------------------------------------------------------------------------------

def test_update_instance_renames(server: Server, people: People) -> None:
    me = people()
    inst = running_instance(me)
    new_name = unique("renamed")
    renamed = me.call("updateInstance", id=inst["id"], input={"name": new_name})["instance"]
    assert renamed["id"] == inst["id"] and renamed["name"] == new_name and renamed["status"] == "RUNNING"
    assert me.get("instance", inst["id"])["name"] == new_name
    assert event_types(server, inst["id"])[-1] == "instance.updated"
    # The old name is free again; the new one is taken.
    again = new_instance(me, inst["name"])
    err = me.fails("updateInstance", id=again["id"], input={"name": new_name})
    assert err["extensions"]["code"] == "ConflictException" and err["extensions"]["status"] == 409, err
    assert err["extensions"]["reason"] == "ResourceAlreadyExists" and new_name in err["message"], err
    assert me.get("instance", again["id"])["name"] == inst["name"]
    # Renaming to its own name changes nothing.
    same = me.call("updateInstance", id=inst["id"], input={"name": new_name})["instance"]
    assert same["name"] == new_name and same["updatedAt"] == renamed["updatedAt"]


@pytest.mark.parametrize("name", ["Bad Name", "", "x" * 64, "-leading-dash", "name\u0000nul"])
def test_update_instance_with_a_bad_name_names_the_field(server: Server, people: People, name: str) -> None:
    me = people()
    inst = new_instance(me)
    before = tenant_state(server, me.tenant)
    invalid(me.fails("updateInstance", id=inst["id"], input={"name": name}), "name")
    invalid(me.fails("updateInstance", dry=True, id=inst["id"], input={"name": name}), "name")
    # (The reconciler may move the instance on meanwhile; its name and the rest of the tenant stay.)
    assert me.get("instance", inst["id"])["name"] == inst["name"]
    after = tenant_state(server, me.tenant)
    assert {k: v for k, v in after.items() if k not in ("instances", "events")} == \
           {k: v for k, v in before.items() if k not in ("instances", "events")}


def test_update_instance_of_another_tenant_or_terminated(server: Server, people: People) -> None:
    me, stranger = people(), people()
    inst = running_instance(me)
    before = tenant_state(server, me.tenant)
    for dry in (False, True):
        not_found(stranger.fails("updateInstance", dry=dry, id=inst["id"], input={"name": unique("taken")}))
        not_found(stranger.fails("updateInstance", dry=dry, id="inst-doesnotexist0", input={"name": "x"}))
    assert me.get("instance", inst["id"]) == inst
    assert tenant_state(server, me.tenant) == before

    me.call("deleteInstance", id=inst["id"])
    err = me.fails("updateInstance", id=inst["id"], input={"name": unique("late")})
    assert err["extensions"]["code"] == "ConflictException" and err["extensions"]["reason"] == "InvalidStateTransition"


# -- deleteSshKeyGroup ------------------------------------------------------------------------------

def test_delete_ssh_key_group(server: Server, people: People) -> None:
    me, stranger = people(), people()
    key = me.call("uploadSshKey", input={"name": "laptop", "publicKey": keygen_pair("ed25519").public})["sshKey"]
    group = me.call("createSshKeyGroup", input={"name": "ops", "description": "on call"})["sshKeyGroup"]
    me.call("addSshKeyToGroup", groupId=group["id"], sshKeyId=key["id"])
    inst = new_instance(me, sshKeyGroup=group["id"])
    assert inst["sshKeyGroup"] == group["id"]

    for dry in (False, True):
        not_found(stranger.fails("deleteSshKeyGroup", dry=dry, id=group["id"]))
    assert me.get("sshKeyGroup", group["id"])["keys"] == [key]

    gone = me.call("deleteSshKeyGroup", id=group["id"])["sshKeyGroup"]
    assert gone == {**group, "keys": [key]}
    me.missing("sshKeyGroup", group["id"])
    not_found(me.fails("deleteSshKeyGroup", id=group["id"]))
    assert me.get("sshKey", key["id"]) == key  # its keys stay
    assert me.get("instance", inst["id"])["sshKeyGroup"] is None  # the instance no longer names it
    assert group["id"] not in [g["id"] for g in gql_data(me.api, "{ sshKeyGroups { items { id } } }")
                               ["sshKeyGroups"]["items"]]
    # The name is free again.
    assert me.call("createSshKeyGroup", input={"name": "ops"})["sshKeyGroup"]["id"] != group["id"]


# -- apiKey, sshKey, sshKeyGroup --------------------------------------------------------------------

def test_single_resource_queries(people: People) -> None:
    me, stranger = people(), people()
    made = me.call("createApiKey", input={"name": "ci", "scopes": ["instances"], "permissions": ["read"]})
    api_key = made["apiKey"]
    assert made["key"].startswith(api_key["prefix"])
    key = me.call("generateSshKey", name="laptop")["sshKey"]
    group = me.call("createSshKeyGroup", input={"name": "ops"})["sshKeyGroup"]
    group = me.call("addSshKeyToGroup", groupId=group["id"], sshKeyId=key["id"])["sshKeyGroup"]

    assert me.get("apiKey", api_key["id"]) == api_key
    assert me.get("sshKey", key["id"]) == key
    assert me.get("sshKeyGroup", group["id"]) == group and group["keys"] == [key]
    for query, id_ in (("apiKey", api_key["id"]), ("sshKey", key["id"]), ("sshKeyGroup", group["id"])):
        theirs = stranger.missing(query, id_)
        nothing = me.missing(query, id_[:4] + "doesnotexist0")
        assert theirs["extensions"]["reason"] == nothing["extensions"]["reason"]  # no existence oracle
        for malformed in ("", "../etc", "x" * 300):
            me.missing(query, malformed)

    revoked = me.call("revokeApiKey", id=api_key["id"])["apiKey"]
    assert revoked["revokedAt"] is not None
    me.missing("apiKey", api_key["id"])  # a revoked key is not found


# -- instances(status:) -----------------------------------------------------------------------------

def test_instances_filtered_by_status_and_paginated(people: People) -> None:
    me = people()
    running = [running_instance(me)["id"] for _ in range(3)]
    stopped = new_instance(me)["id"]
    wait_status(me, stopped, "RUNNING")
    me.call("stopInstance", id=stopped)
    wait_status(me, stopped, "STOPPED")
    terminated = new_instance(me)["id"]
    me.call("deleteInstance", id=terminated)

    assert listed(me, "RUNNING") == running  # oldest first, one per page
    assert listed(me, "RUNNING", max_results=2) == running
    assert listed(me, "STOPPED") == [stopped]
    assert listed(me, "TERMINATED") == [terminated]  # only when asked for
    assert listed(me, "PREEMPTED") == []
    assert listed(me) == [*running, stopped]  # no status: every live one

    # A page token belongs to its listing: another status cannot continue it.
    token = gql_data(me.api, PAGE, {"status": "RUNNING", "max": 1})["instances"]["nextToken"]
    assert token
    err = gql_error(me.api, PAGE, {"status": "STOPPED", "max": 1, "next": token})
    invalid(err, "nextToken")
    # An unknown status is refused by the schema.
    err = gql_error(me.api, PAGE, {"status": "SLEEPING"})
    assert err["extensions"]["code"] == "ValidationException", err
    # Another tenant sees none of them, in any status.
    other = people()
    for status in (None, "RUNNING", "STOPPED", "TERMINATED"):
        assert listed(other, status) == []


# -- addTeamMember ----------------------------------------------------------------------------------

def test_add_team_member_by_email(server: Server, people: People) -> None:
    owner = people()
    bob = people(owner.tenant, f"{unique('bob')}@example.com")
    outsider = people(None, f"{unique('eve')}@example.com")
    team = owner.call("createTeam", input={"name": "research"})["team"]

    shouted = bob.email.upper()
    member = owner.call("addTeamMember", teamId=team["id"], input={"email": shouted, "role": "ADMIN"})["member"]
    assert member["accountId"] == bob.id and member["email"] == bob.email, member
    assert member["role"] == "ADMIN" and member["teamId"] == team["id"] and member["id"].startswith("tmem-")
    assert member in owner.get("teamMembers", team["id"])["items"]
    assert owner.get("team", team["id"])["id"] == bob.get("team", team["id"])["id"]
    err = owner.fails("addTeamMember", teamId=team["id"], input={"email": bob.email})
    assert err["extensions"]["code"] == "ConflictException", err

    # Another tenant's person, by email or id, is not found; so is an email nobody has.
    before = tenant_state(server, owner.tenant)
    for person_input in ({"email": outsider.email}, {"email": outsider.email.upper()},
                         {"accountId": outsider.id}, {"email": "nobody@example.com"}):
        for dry in (False, True):
            not_found(owner.fails("addTeamMember", dry=dry, teamId=team["id"], input=person_input))
    assert tenant_state(server, owner.tenant) == before
    assert tenant_state(server, outsider.tenant)["team_members"] == []


@pytest.mark.parametrize("person_input", [{}, {"accountId": None, "email": None}, "both"])
def test_add_team_member_needs_exactly_one_of_account_id_and_email(server: Server, people: People,
                                                                   person_input: Any) -> None:
    owner = people()
    bob = people(owner.tenant)
    team = owner.call("createTeam", input={"name": "research"})["team"]
    if person_input == "both":
        person_input = {"accountId": bob.id, "email": bob.email}
    before = tenant_state(server, owner.tenant)
    for dry in (False, True):
        err = owner.fails("addTeamMember", dry=dry, teamId=team["id"], input={**person_input, "role": "MEMBER"})
        invalid(err, "accountId")
        assert err["message"].startswith("accountId:"), err
    assert tenant_state(server, owner.tenant) == before


# -- dryRun on every mutation -----------------------------------------------------------------------

DryRunCase = Callable[[Server, Person, People], None]
DRY_RUNS: dict[str, DryRunCase] = {}

from tests.server.test_tokens_dry_run import TOKEN_DRY_RUNS  # noqa: E402  (issue 11: the token family's cases)

DRY_RUNS.update(TOKEN_DRY_RUNS)


def dry_run_case(name: str) -> Callable[[DryRunCase], DryRunCase]:
    def register(fn: DryRunCase) -> DryRunCase:
        DRY_RUNS[name] = fn
        return fn

    return register


def dry(server: Server, p: Person, name: str, /, **variables: Any) -> dict[str, Any]:
    """Mutation ``name`` as a dry run: ``dryRun: true, valid: true``, and nothing of the tenant changed."""
    before = tenant_state(server, p.tenant)
    payload = p.call(name, dry=True, **variables)
    assert tenant_state(server, p.tenant) == before, f"the dry run of {name} wrote something"
    return payload


@dry_run_case("createInstance")
def _dry_create_instance(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createInstance", input={"name": "dry", "tier": "dedicated", "storageGb": 200,
                                                     "workloadType": "BATCH"})["instance"]
    assert (would["name"], would["tier"], would["storageGb"], would["workloadType"], would["status"]) == \
           ("dry", "dedicated", 200, "BATCH", "PENDING")
    assert would["owner"]["id"] == me.id and would["id"].startswith("inst-")
    me.missing("instance", would["id"])  # the id shown was not reserved
    assert listed(me) == []
    assert new_instance(me, "dry", "dedicated")["id"] != would["id"]  # the name was never taken


@dry_run_case("updateInstance")
def _dry_update_instance(server: Server, me: Person, people: People) -> None:
    inst = running_instance(me)
    would = dry(server, me, "updateInstance", id=inst["id"], input={"name": "dry-name"})["instance"]
    assert would["id"] == inst["id"] and would["name"] == "dry-name" and would["status"] == "RUNNING"
    assert me.get("instance", inst["id"]) == inst


@dry_run_case("startInstance")
def _dry_start_instance(server: Server, me: Person, people: People) -> None:
    inst = running_instance(me)
    me.call("stopInstance", id=inst["id"])
    stopped = wait_status(me, inst["id"], "STOPPED")
    would = dry(server, me, "startInstance", id=inst["id"])["instance"]
    assert would["status"] == "PENDING" and would["statusReason"] == "start requested", would
    assert me.get("instance", inst["id"]) == stopped


@dry_run_case("stopInstance")
def _dry_stop_instance(server: Server, me: Person, people: People) -> None:
    inst = running_instance(me)
    would = dry(server, me, "stopInstance", id=inst["id"])["instance"]
    assert would["status"] == "STOPPING" and would["statusReason"] == "stop requested", would
    assert me.get("instance", inst["id"]) == inst


@dry_run_case("requeueInstance")
def _dry_requeue_instance(server: Server, me: Person, people: People) -> None:
    batch = running_instance(me, "timesliced", workloadType="BATCH")
    interactive = new_instance(me, tier="timesliced")
    preempted = wait_status(me, batch["id"], "PREEMPTED")
    wait_status(me, interactive["id"], "RUNNING")
    would = dry(server, me, "requeueInstance", id=batch["id"])["instance"]
    assert would["status"] == "PENDING" and would["workloadType"] == "BATCH", would
    assert me.get("instance", batch["id"]) == preempted
    for inst in (batch, interactive):  # give the one slot back
        me.call("deleteInstance", id=inst["id"])


@dry_run_case("deleteInstance")
def _dry_delete_instance(server: Server, me: Person, people: People) -> None:
    inst = running_instance(me)
    would = dry(server, me, "deleteInstance", id=inst["id"])["instance"]
    assert would["status"] == "TERMINATED" and would["terminatedAt"] is not None, would
    assert me.get("instance", inst["id"]) == inst
    assert listed(me) == [inst["id"]]


@dry_run_case("createTeam")
def _dry_create_team(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createTeam", input={"name": "dry-team", "description": "d"})["team"]
    assert (would["name"], would["description"], would["createdBy"], would["role"]) == \
           ("dry-team", "d", me.id, "OWNER")
    me.missing("team", would["id"])
    assert me.call("createTeam", input={"name": "dry-team"})["team"]["id"] != would["id"]


@dry_run_case("addTeamMember")
def _dry_add_team_member(server: Server, me: Person, people: People) -> None:
    bob = people(me.tenant)
    team = me.call("createTeam", input={"name": "t"})["team"]
    would = dry(server, me, "addTeamMember", teamId=team["id"], input={"email": bob.email, "role": "VIEWER"})
    assert (would["member"]["accountId"], would["member"]["role"]) == (bob.id, "VIEWER")
    assert bob.id not in [m["accountId"] for m in me.get("teamMembers", team["id"])["items"]]
    me.call("addTeamMember", teamId=team["id"], input={"accountId": bob.id})  # not taken by the dry run


@dry_run_case("updateTeamMember")
def _dry_update_team_member(server: Server, me: Person, people: People) -> None:
    bob = people(me.tenant)
    team = me.call("createTeam", input={"name": "t"})["team"]
    member = me.call("addTeamMember", teamId=team["id"], input={"accountId": bob.id})["member"]
    would = dry(server, me, "updateTeamMember", teamId=team["id"], memberId=member["id"], role="ADMIN")["member"]
    assert would == {**member, "role": "ADMIN"}
    assert member in me.get("teamMembers", team["id"])["items"]


@dry_run_case("removeTeamMember")
def _dry_remove_team_member(server: Server, me: Person, people: People) -> None:
    bob = people(me.tenant)
    team = me.call("createTeam", input={"name": "t"})["team"]
    member = me.call("addTeamMember", teamId=team["id"], input={"accountId": bob.id})["member"]
    would = dry(server, me, "removeTeamMember", teamId=team["id"], memberId=member["id"])["member"]
    assert would == member
    assert member in me.get("teamMembers", team["id"])["items"]
    assert bob.get("team", team["id"])["role"] == "MEMBER"


@dry_run_case("createApiKey")
def _dry_create_api_key(server: Server, me: Person, people: People) -> None:
    made = dry(server, me, "createApiKey", input={"name": "dry-key", "scopes": ["instances"],
                                                  "permissions": ["read"], "expiresInDays": 5})
    assert made["key"] is None, "a dry run makes no secret"
    would = made["apiKey"]
    assert (would["name"], would["scopes"], would["permissions"]) == ("dry-key", ["instances"], ["read"])
    assert would["expiresAt"] is not None and would["revokedAt"] is None
    me.missing("apiKey", would["id"])


@dry_run_case("revokeApiKey")
def _dry_revoke_api_key(server: Server, me: Person, people: People) -> None:
    made = me.call("createApiKey", input={"name": "k", "scopes": ["instances"]})
    would = dry(server, me, "revokeApiKey", id=made["apiKey"]["id"])["apiKey"]
    assert would["id"] == made["apiKey"]["id"] and would["revokedAt"] is not None
    assert me.get("apiKey", would["id"]) == made["apiKey"]
    with httpx.Client(base_url=me.api.base_url, headers={"Authorization": f"Bearer {made['key']}"}) as key_api:
        assert gql_data(key_api, "{ instances { nextToken } }")["instances"] == {"nextToken": None}


@dry_run_case("uploadSshKey")
def _dry_upload_ssh_key(server: Server, me: Person, people: People) -> None:
    public = keygen_pair("ed25519").public
    would = dry(server, me, "uploadSshKey", input={"name": "dry", "publicKey": public})["sshKey"]
    assert (would["name"], would["publicKey"], would["keyType"]) == ("dry", public, "ssh-ed25519")
    assert would["fingerprint"].startswith("SHA256:")
    me.missing("sshKey", would["id"])
    assert me.call("uploadSshKey", input={"name": "dry", "publicKey": public})["sshKey"]["id"] != would["id"]


@dry_run_case("generateSshKey")
def _dry_generate_ssh_key(server: Server, me: Person, people: People) -> None:
    made = dry(server, me, "generateSshKey", name="dry")
    assert made["privateKey"] is None, "a dry run makes no private key"
    assert made["sshKey"]["name"] == "dry" and made["sshKey"]["keyType"] == "ssh-ed25519"
    me.missing("sshKey", made["sshKey"]["id"])


@dry_run_case("deleteSshKey")
def _dry_delete_ssh_key(server: Server, me: Person, people: People) -> None:
    key = me.call("generateSshKey", name="k")["sshKey"]
    assert dry(server, me, "deleteSshKey", id=key["id"])["sshKey"] == key
    assert me.get("sshKey", key["id"]) == key


@dry_run_case("createSshKeyGroup")
def _dry_create_ssh_key_group(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createSshKeyGroup", input={"name": "dry", "description": "d"})["sshKeyGroup"]
    assert (would["name"], would["description"], would["keys"]) == ("dry", "d", [])
    me.missing("sshKeyGroup", would["id"])


@dry_run_case("deleteSshKeyGroup")
def _dry_delete_ssh_key_group(server: Server, me: Person, people: People) -> None:
    key = me.call("generateSshKey", name="k")["sshKey"]
    group = me.call("createSshKeyGroup", input={"name": "g"})["sshKeyGroup"]
    group = me.call("addSshKeyToGroup", groupId=group["id"], sshKeyId=key["id"])["sshKeyGroup"]
    assert dry(server, me, "deleteSshKeyGroup", id=group["id"])["sshKeyGroup"] == group
    assert me.get("sshKeyGroup", group["id"]) == group


@dry_run_case("addSshKeyToGroup")
def _dry_add_ssh_key_to_group(server: Server, me: Person, people: People) -> None:
    key = me.call("generateSshKey", name="k")["sshKey"]
    group = me.call("createSshKeyGroup", input={"name": "g"})["sshKeyGroup"]
    would = dry(server, me, "addSshKeyToGroup", groupId=group["id"], sshKeyId=key["id"])["sshKeyGroup"]
    assert would == {**group, "keys": [key]}
    assert me.get("sshKeyGroup", group["id"])["keys"] == []


@dry_run_case("removeSshKeyFromGroup")
def _dry_remove_ssh_key_from_group(server: Server, me: Person, people: People) -> None:
    key = me.call("generateSshKey", name="k")["sshKey"]
    group = me.call("createSshKeyGroup", input={"name": "g"})["sshKeyGroup"]
    group = me.call("addSshKeyToGroup", groupId=group["id"], sshKeyId=key["id"])["sshKeyGroup"]
    would = dry(server, me, "removeSshKeyFromGroup", groupId=group["id"], sshKeyId=key["id"])["sshKeyGroup"]
    assert would == {**group, "keys": []}
    assert me.get("sshKeyGroup", group["id"])["keys"] == [key]


# -- dry runs of issue 10's families ----------------------------------------------------------------

NETWORKS = "{ vmNetworks(maxResults: 100) { items { id name } } }"


def vm_networks(p: Person) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = gql_data(p.api, NETWORKS)["vmNetworks"]["items"]
    return items


def cancel_run(p: Person, run_id: str) -> None:
    assert p.call("cancelFunctionRun", id=run_id)["run"]["status"] == "CANCELLED"


@dry_run_case("createVm")
def _dry_create_vm(server: Server, me: Person, people: People) -> None:
    tpl = gql_data(me.api, 'query { vmTemplate(id: "tpl-ubuntu-cpu") { defaultMemoryGb defaultDiskGb } }')
    would = dry(server, me, "createVm", input={"name": "dry-vm", "templateId": CPU_TEMPLATE, "cpu": 4,
                                               "sshKey": SSH_PUBLIC_KEY, "autoStopAfterMinutes": 30})["vm"]
    assert (would["name"], would["templateId"], would["cpu"], would["status"], would["autoStopAfterMinutes"]) == \
           ("dry-vm", CPU_TEMPLATE, 4, "PENDING", 30), would
    assert (would["memoryGb"], would["diskGb"]) == (tpl["vmTemplate"]["defaultMemoryGb"],
                                                    tpl["vmTemplate"]["defaultDiskGb"]), would
    assert would["gpuTier"] is None and would["sshKey"] == SSH_PUBLIC_KEY and would["accountId"] == me.id
    assert would["id"].startswith("vm-") and would["terminatedAt"] is None
    me.missing("vm", would["id"])  # the id shown was not reserved
    assert gql_data(me.api, "{ vms { items { id } } }")["vms"]["items"] == []
    real = me.call("createVm", input={"name": "dry-vm", "templateId": CPU_TEMPLATE, "sshKey": SSH_PUBLIC_KEY})
    assert real["vm"]["id"] != would["id"]  # the name was never taken


@dry_run_case("updateVm")
def _dry_update_vm(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    would = dry(server, me, "updateVm", id=vm["id"], input={"name": "dry-name", "autoStopAfterMinutes": 45})["vm"]
    assert (would["id"], would["name"], would["autoStopAfterMinutes"], would["status"]) == \
           (vm["id"], "dry-name", 45, "RUNNING"), would
    assert would["autoStopAt"] is not None and vm["autoStopAt"] is None, (vm, would)
    assert me.get("vm", vm["id"]) == vm


@dry_run_case("startVm")
def _dry_start_vm(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    me.call("stopVm", id=vm["id"])
    stopped = wait_status(me, vm["id"], "STOPPED", query="vm")
    would = dry(server, me, "startVm", id=vm["id"])["vm"]
    assert would["id"] == vm["id"] and would["status"] == "PENDING", would
    assert me.get("vm", vm["id"]) == stopped


@dry_run_case("stopVm")
def _dry_stop_vm(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    would = dry(server, me, "stopVm", id=vm["id"])["vm"]
    assert would["id"] == vm["id"] and would["status"] == "STOPPING", would
    assert me.get("vm", vm["id"]) == vm


@dry_run_case("rebootVm")
def _dry_reboot_vm(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    would = dry(server, me, "rebootVm", id=vm["id"])["vm"]
    assert would["id"] == vm["id"] and would["status"] == "REBOOTING", would
    assert me.get("vm", vm["id"]) == vm


@dry_run_case("deleteVm")
def _dry_delete_vm(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    disk = new_disk(me)
    disk = me.call("attachVmDisk", id=disk["id"], vmId=vm["id"])["vmDisk"]
    would = dry(server, me, "deleteVm", id=vm["id"])["vm"]
    assert would["status"] == "TERMINATED" and would["terminatedAt"] is not None, would
    assert me.get("vm", vm["id"]) == vm
    assert me.get("vmDisk", disk["id"]) == disk  # still attached: the dry run detached nothing


@dry_run_case("attachVmNetwork")
def _dry_attach_vm_network(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    # A name with no network yet: the call would create the network and its first subnet too.
    would = dry(server, me, "attachVmNetwork", vmId=vm["id"],
                input={"name": "dry-net", "cidr": "10.20.0.0/24"})["vmNetwork"]
    assert (would["vmId"], would["name"], would["cidr"]) == (vm["id"], "dry-net", "10.20.0.0/24"), would
    assert would["networkId"].startswith("net-") and would["ipAddress"].startswith("10.20.0."), would
    me.missing("vmNetwork", would["networkId"])
    assert vm_networks(me) == [] and me.get("vmNetworkAttachments", vm["id"]) == []
    # An existing network: the attachment is shown, not made.
    net = new_network(me)
    me.call("createSubnet", networkId=net["id"], input={"name": "a", "cidr": "10.30.0.0/24"})
    would = dry(server, me, "attachVmNetwork", vmId=vm["id"], input={"name": net["name"]})["vmNetwork"]
    assert (would["networkId"], would["cidr"]) == (net["id"], "10.30.0.0/24"), would
    assert me.get("vmNetworkAttachments", vm["id"]) == []


@dry_run_case("detachVmNetwork")
def _dry_detach_vm_network(server: Server, me: Person, people: People) -> None:
    vm = running_vm(me)
    att = me.call("attachVmNetwork", vmId=vm["id"], input={"name": unique("net"), "cidr": "10.40.0.0/24"})
    would = dry(server, me, "detachVmNetwork", vmId=vm["id"], networkId=att["vmNetwork"]["networkId"])
    assert would["vmNetwork"] == att["vmNetwork"]
    assert me.get("vmNetworkAttachments", vm["id"]) == [att["vmNetwork"]]


@dry_run_case("createVmNetwork")
def _dry_create_vm_network(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createVmNetwork", input={"name": "dry-net", "description": "d"})["vmNetwork"]
    assert (would["name"], would["description"], would["teamId"], would["accountId"]) == \
           ("dry-net", "d", None, me.id), would
    assert would["id"].startswith("net-")
    me.missing("vmNetwork", would["id"])
    assert vm_networks(me) == []
    assert me.call("createVmNetwork", input={"name": "dry-net"})["vmNetwork"]["id"] != would["id"]


@dry_run_case("deleteVmNetwork")
def _dry_delete_vm_network(server: Server, me: Person, people: People) -> None:
    net = new_network(me)
    subnet = me.call("createSubnet", networkId=net["id"], input={"name": "a", "cidr": "10.50.0.0/24"})["subnet"]
    assert dry(server, me, "deleteVmNetwork", id=net["id"])["vmNetwork"] == net
    assert me.get("vmNetwork", net["id"]) == net
    assert me.get("subnets", net["id"])["items"] == [subnet]


@dry_run_case("createSubnet")
def _dry_create_subnet(server: Server, me: Person, people: People) -> None:
    net = new_network(me)
    would = dry(server, me, "createSubnet", networkId=net["id"], input={"name": "dry", "cidr": "10.60.0.0/24"})
    assert (would["subnet"]["networkId"], would["subnet"]["name"], would["subnet"]["cidr"]) == \
           (net["id"], "dry", "10.60.0.0/24"), would
    assert would["subnet"]["id"].startswith("subnet-"), would
    assert me.get("subnets", net["id"])["items"] == []
    real = me.call("createSubnet", networkId=net["id"], input={"name": "dry", "cidr": "10.60.0.0/24"})
    assert real["subnet"]["id"] != would["subnet"]["id"]  # neither name nor range was taken


@dry_run_case("deleteSubnet")
def _dry_delete_subnet(server: Server, me: Person, people: People) -> None:
    net = new_network(me)
    subnet = me.call("createSubnet", networkId=net["id"], input={"name": "a", "cidr": "10.70.0.0/24"})["subnet"]
    assert dry(server, me, "deleteSubnet", networkId=net["id"], id=subnet["id"])["subnet"] == subnet
    assert me.get("subnets", net["id"])["items"] == [subnet]


RULE_INPUT = {"direction": "ingress", "protocol": "tcp", "portRange": "8000-8100", "source": "10.0.0.0/8",
              "action": "allow", "description": "web"}


@dry_run_case("createFirewallRule")
def _dry_create_firewall_rule(server: Server, me: Person, people: People) -> None:
    net = new_network(me)
    would = dry(server, me, "createFirewallRule", networkId=net["id"], input=RULE_INPUT)["firewallRule"]
    assert {k: would[k] for k in RULE_INPUT} == RULE_INPUT and would["networkId"] == net["id"], would
    assert would["id"].startswith("fw-"), would
    assert me.get("firewallRules", net["id"])["items"] == []


@dry_run_case("deleteFirewallRule")
def _dry_delete_firewall_rule(server: Server, me: Person, people: People) -> None:
    net = new_network(me)
    rule = me.call("createFirewallRule", networkId=net["id"], input=RULE_INPUT)["firewallRule"]
    assert dry(server, me, "deleteFirewallRule", networkId=net["id"], id=rule["id"])["firewallRule"] == rule
    assert me.get("firewallRules", net["id"])["items"] == [rule]


@dry_run_case("createVmDisk")
def _dry_create_vm_disk(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createVmDisk", input={"name": "dry-disk", "sizeGb": 75})["vmDisk"]
    assert (would["name"], would["sizeGb"], would["status"], would["vmId"], would["accountId"]) == \
           ("dry-disk", 75, "AVAILABLE", None, me.id), would
    assert would["id"].startswith("disk-")
    me.missing("vmDisk", would["id"])  # and the tenant's storage is as it was (tenant_state)
    assert me.call("createVmDisk", input={"name": "dry-disk", "sizeGb": 75})["vmDisk"]["id"] != would["id"]


@dry_run_case("attachVmDisk")
def _dry_attach_vm_disk(server: Server, me: Person, people: People) -> None:
    vm, disk = running_vm(me), new_disk(me)
    would = dry(server, me, "attachVmDisk", id=disk["id"], vmId=vm["id"])["vmDisk"]
    assert (would["id"], would["status"], would["vmId"]) == (disk["id"], "ATTACHED", vm["id"]), would
    assert would["attachedAt"] is not None
    assert me.get("vmDisk", disk["id"]) == disk


@dry_run_case("detachVmDisk")
def _dry_detach_vm_disk(server: Server, me: Person, people: People) -> None:
    vm, disk = running_vm(me), new_disk(me)
    attached = me.call("attachVmDisk", id=disk["id"], vmId=vm["id"])["vmDisk"]
    would = dry(server, me, "detachVmDisk", id=disk["id"])["vmDisk"]
    assert (would["status"], would["vmId"], would["attachedAt"]) == ("AVAILABLE", None, None), would
    assert me.get("vmDisk", disk["id"]) == attached


@dry_run_case("resizeVmDisk")
def _dry_resize_vm_disk(server: Server, me: Person, people: People) -> None:
    disk = new_disk(me, 50)
    would = dry(server, me, "resizeVmDisk", id=disk["id"], sizeGb=80)["vmDisk"]
    assert (would["id"], would["sizeGb"], would["status"]) == (disk["id"], 80, "AVAILABLE"), would
    assert me.get("vmDisk", disk["id"]) == disk


@dry_run_case("deleteVmDisk")
def _dry_delete_vm_disk(server: Server, me: Person, people: People) -> None:
    disk = new_disk(me)
    would = dry(server, me, "deleteVmDisk", id=disk["id"])["vmDisk"]
    assert would["status"] == "DELETED" and would["deletedAt"] is not None, would
    assert me.get("vmDisk", disk["id"]) == disk


@dry_run_case("createCluster")
def _dry_create_cluster(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createCluster", input={"name": "dry-cluster", "version": "1.31"})["cluster"]
    assert (would["name"], would["version"], would["status"], would["serverUrl"], would["owner"]) == \
           ("dry-cluster", "1.31", "PENDING", None, {"id": me.id}), would
    assert would["id"].startswith("cls-")
    me.missing("cluster", would["id"])
    assert gql_data(me.api, "{ clusters { items { id } } }")["clusters"]["items"] == []
    assert me.call("createCluster", input={"name": "dry-cluster"})["cluster"]["id"] != would["id"]


@dry_run_case("deleteCluster")
def _dry_delete_cluster(server: Server, me: Person, people: People) -> None:
    made = me.call("createCluster", input={"name": unique("cl")})["cluster"]
    cluster = wait_status(me, made["id"], "RUNNING", query="cluster")
    kubeconfig = "query($id: ID!) { clusterKubeconfig(id: $id) { serverUrl token } }"
    credential = gql_data(me.api, kubeconfig, {"id": cluster["id"]})
    would = dry(server, me, "deleteCluster", id=cluster["id"])["cluster"]
    assert (would["id"], would["status"], would["statusReason"]) == \
           (cluster["id"], "DELETING", "delete requested"), would
    assert me.get("cluster", cluster["id"]) == cluster
    assert gql_data(me.api, kubeconfig, {"id": cluster["id"]}) == credential  # not revoked
    me.call("deleteCluster", id=cluster["id"])


@dry_run_case("createSlurmEnvironment")
def _dry_create_slurm_environment(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createSlurmEnvironment", input={"name": "dry-slurm", "maxNodes": 2, "gpuPerNode": 2,
                                                             "gpuTier": "dedicated"})["slurmEnvironment"]
    assert (would["name"], would["maxNodes"], would["gpuPerNode"], would["totalGpus"], would["gpusPlaced"]) == \
           ("dry-slurm", 2, 2, 4, 0), would
    assert (would["status"], would["accountId"]) == ("PENDING", me.id) and would["id"].startswith("slurm-")
    me.missing("slurmEnvironment", would["id"])
    assert gql_data(me.api, "{ slurmEnvironments { items { id } } }")["slurmEnvironments"]["items"] == []


@dry_run_case("deleteSlurmEnvironment")
def _dry_delete_slurm_environment(server: Server, me: Person, people: People) -> None:
    made = me.call("createSlurmEnvironment", input={"name": unique("slurm"), "maxNodes": 1, "gpuPerNode": 1,
                                                    "gpuTier": "dedicated"})["slurmEnvironment"]
    env = wait_status(me, made["id"], "READY", query="slurmEnvironment")
    would = dry(server, me, "deleteSlurmEnvironment", id=env["id"])["slurmEnvironment"]
    assert (would["id"], would["status"]) == (env["id"], "TERMINATED") and would["terminatedAt"], would
    assert me.get("slurmEnvironment", env["id"]) == env
    me.call("deleteSlurmEnvironment", id=env["id"])  # give its GPU back


@dry_run_case("createFunction")
def _dry_create_function(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createFunction", input={
        "name": "dry-fn", "image": "registry.gpu.local/gm/app:v1", "entrypoint": "python main.py",
        "gpuTier": "mig", "timeoutSeconds": 60, "envVars": {"MODE": "fast"},
        "secretEnvVars": {"TOKEN": "dry-secret"}})["function"]
    assert (would["name"], would["entrypoint"], would["gpuTier"], would["timeoutSeconds"]) == \
           ("dry-fn", "python main.py", "mig", 60), would
    assert (would["envVars"], would["secretEnvVarNames"], would["status"]) == ({"MODE": "fast"}, ["TOKEN"],
                                                                              "active"), would
    assert would["id"].startswith("fn-") and would["accountId"] == me.id
    me.missing("function", would["id"])
    assert new_function(me, name="dry-fn")["id"] != would["id"]  # the name was never taken


@dry_run_case("updateFunction")
def _dry_update_function(server: Server, me: Person, people: People) -> None:
    fn = new_function(me)
    would = dry(server, me, "updateFunction", id=fn["id"], input={"timeoutSeconds": 9, "envVars": {"A": "1"},
                                                                  "secretEnvVars": {"S": "x"}})["function"]
    assert (would["id"], would["timeoutSeconds"], would["envVars"], would["secretEnvVarNames"]) == \
           (fn["id"], 9, {"A": "1"}, ["S"]), would
    assert me.get("function", fn["id"]) == fn


@dry_run_case("deleteFunction")
def _dry_delete_function(server: Server, me: Person, people: People) -> None:
    fn = new_function(me, "sleep 60", timeoutSeconds=90)
    run = me.call("runFunction", id=fn["id"], input={})["run"]
    running = wait_status(me, run["id"], "RUNNING", query="functionRun")
    would = dry(server, me, "deleteFunction", id=fn["id"])["function"]
    assert (would["id"], would["status"]) == (fn["id"], "deleted") and would["deletedAt"] is not None, would
    assert me.get("function", fn["id"]) == fn
    assert me.get("functionRun", run["id"]) == running  # its live run was not cancelled
    cancel_run(me, run["id"])


@dry_run_case("runFunction")
def _dry_run_function(server: Server, me: Person, people: People) -> None:
    fn = new_function(me)
    would = dry(server, me, "runFunction", id=fn["id"], input={"top_k": 2})["run"]
    assert (would["functionId"], would["status"], would["input"], would["gpuTier"], would["output"]) == \
           (fn["id"], "QUEUED", {"top_k": 2}, "mig", None), would
    assert would["id"].startswith("run-") and would["accountId"] == me.id
    me.missing("functionRun", would["id"])
    runs = "query($id: ID!) { functionRuns(functionId: $id) { items { id } } }"
    assert gql_data(me.api, runs, {"id": fn["id"]})["functionRuns"]["items"] == []


@dry_run_case("cancelFunctionRun")
def _dry_cancel_function_run(server: Server, me: Person, people: People) -> None:
    fn = new_function(me, "sleep 60", timeoutSeconds=90)
    run = me.call("runFunction", id=fn["id"], input={"x": 1})["run"]
    running = wait_status(me, run["id"], "RUNNING", query="functionRun")
    would = dry(server, me, "cancelFunctionRun", id=run["id"])["run"]
    assert (would["id"], would["status"]) == (run["id"], "CANCELLED") and would["finishedAt"] is not None, would
    assert me.get("functionRun", run["id"]) == running
    cancel_run(me, run["id"])


# -- issue 11: model deployments (addressed by name) ---------------------------------------------------

@dry_run_case("deployModel")
def _dry_deploy_model(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "deployModel", input={
        "name": "dry-model", "model": "meta-llama/Llama-3.1-8B-Instruct", "minReplicas": 0, "maxReplicas": 2,
        "resourceProfile": "nvidia-gpu-mig", "huggingfaceToken": "hf_dryRunToken"})["modelDeployment"]
    assert (would["name"], would["gpuTier"], would["status"], would["huggingfaceTokenSet"], would["accountId"]) == \
           ("dry-model", "mig", "scaled_to_zero", True, me.id), would
    assert would["id"].startswith("mdl-")
    me.missing("modelDeployment", "dry-model")
    assert new_model(me, name="dry-model")["id"] != would["id"]  # the name was never taken


@dry_run_case("scaleModel")
def _dry_scale_model(server: Server, me: Person, people: People) -> None:
    d = new_model(me)
    would = dry(server, me, "scaleModel", name=d["name"], input={"maxReplicas": 5})["modelDeployment"]
    assert (would["id"], would["minReplicas"], would["maxReplicas"]) == (d["id"], 0, 5), would
    assert me.get("modelDeployment", d["name"]) == d


@dry_run_case("stopModel")
def _dry_stop_model(server: Server, me: Person, people: People) -> None:
    d = new_model(me)
    would = dry(server, me, "stopModel", name=d["name"])["modelDeployment"]
    assert (would["id"], would["status"], would["desiredReplicas"]) == (d["id"], "stopped", 0), would
    assert me.get("modelDeployment", d["name"]) == d


@dry_run_case("deleteModel")
def _dry_delete_model(server: Server, me: Person, people: People) -> None:
    d = new_model(me)
    would = dry(server, me, "deleteModel", name=d["name"])["modelDeployment"]
    assert (would["id"], would["status"]) == (d["id"], "deleted") and would["deletedAt"], would
    assert me.get("modelDeployment", d["name"]) == d


def test_every_mutation_has_a_dry_run_case(people: People) -> None:
    served = gql_data(people().api, '{ __type(name: "Mutation") { fields { name } } }')
    names = {f["name"] for f in served["__type"]["fields"]}
    assert set(OPS) == names, "tests/support/graphql_ops.py OPS must name every mutation"
    assert set(DRY_RUNS) == names, "every mutation needs a dry-run case here"


@pytest.mark.parametrize("name", sorted(OPS))
def test_dry_run_shows_the_result_and_writes_nothing(server: Server, people: People, name: str) -> None:
    DRY_RUNS[name](server, people(), people)


# -- Idempotency-Key with dry runs ------------------------------------------------------------------

def post(p: Person, name: str, key: str, /, *, dry: bool, **variables: Any) -> httpx.Response:
    r = p.api.post("/graphql", json={"query": op(name), "variables": {**variables, "dry": dry}},
                   headers={"Idempotency-Key": key})
    assert r.status_code == 200 and not r.json().get("errors"), r.text
    return r


def test_a_dry_run_does_not_take_the_idempotency_key(server: Server, people: People) -> None:
    me = people()
    key = uuid.uuid4().hex
    first_dry = post(me, "createInstance", key, dry=True, input={"name": "idem-a", "tier": "mig"})
    # Not recorded: another dry run with other parameters is answered too, and so is the real call.
    other_dry = post(me, "createInstance", key, dry=True, input={"name": "idem-b", "tier": "mig"})
    for r in (first_dry, other_dry):
        assert "Idempotent-Replayed" not in r.headers and r.json()["data"]["createInstance"]["dryRun"] is True
    assert listed(me) == []

    real = post(me, "createInstance", key, dry=False, input={"name": "idem-a", "tier": "mig"})
    made = real.json()["data"]["createInstance"]
    assert made["dryRun"] is False and made["instance"]["name"] == "idem-a"
    assert "Idempotent-Replayed" not in real.headers and real.headers["Idempotency-Key"] == key
    assert listed(me) == [made["instance"]["id"]]

    replay = post(me, "createInstance", key, dry=False, input={"name": "idem-a", "tier": "mig"})
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == real.json()
    assert listed(me) == [made["instance"]["id"]]
    assert event_types(server, made["instance"]["id"])[0] == "instance.created"
    assert event_types(server, made["instance"]["id"]).count("instance.created") == 1
    # Once the key is taken, other parameters under it are refused, as for any mutation.
    clash = me.api.post("/graphql", json={"query": op("createInstance"), "variables": {
        "dry": False, "input": {"name": "idem-b", "tier": "mig"}}}, headers={"Idempotency-Key": key}).json()
    assert clash["errors"][0]["extensions"]["reason"] == "IdempotencyKeyReused", clash


def test_a_dry_run_then_the_real_call_shows_the_secret_once(people: People) -> None:
    me = people()
    key = uuid.uuid4().hex
    variables = {"input": {"name": "idem-key", "scopes": ["instances"]}}
    assert post(me, "createApiKey", key, dry=True, **variables).json()["data"]["createApiKey"]["key"] is None
    real = post(me, "createApiKey", key, dry=False, **variables).json()["data"]["createApiKey"]
    assert real["key"].startswith(real["apiKey"]["prefix"])
    replay = post(me, "createApiKey", key, dry=False, **variables)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["data"]["createApiKey"] == {**real, "key": None}
    assert me.get("apiKey", real["apiKey"]["id"]) == real["apiKey"]
