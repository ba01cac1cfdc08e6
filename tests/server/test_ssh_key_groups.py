"""SSH key groups over REST, and the authorized_keys an instance's workload receives.

The local provisioner keeps what it was given in ``sim_pods.authorized_keys``; the tests read
that column from the server's own database once the instance is running, and check every line
with ``ssh-keygen -lf``.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from icgpu.db.tables import Event, Instance, SimPod
from tests.support.contracts import INSTANCES, assert_error, count_rows, member, wait_status
from tests.support.graphql import db_scalars, gql_data, gql_error
from tests.support.server import Server
from tests.support.ssh_keys import (
    GROUPS,
    SSH_KEYS,
    add_to_group,
    crypto_pair,
    generate,
    groups_by_id,
    keygen_pair,
    new_group,
    run_keygen,
    unique,
    upload_ok,
)
from tests.support.tenants import Tenant, open_tenant


@pytest.fixture
def me(server: Server) -> Iterator[Tenant]:
    with open_tenant(server, "groups-" + uuid.uuid4().hex[:8], "owner@example.com") as t:
        yield t


@pytest.fixture
def stranger(server: Server) -> Iterator[Tenant]:
    with open_tenant(server, "groups-" + uuid.uuid4().hex[:8], "other@example.com") as t:
        yield t


def group_path(group_id: str, key_id: str | None = None) -> str:
    return f"{GROUPS}/{group_id}" + (f"/keys/{key_id}" if key_id else "")


def key_ids_of(group: dict[str, Any]) -> list[str]:
    return [k["id"] for k in group["keys"]]


def authorized_keys_of(server: Server, inst_id: str) -> str:
    rows = db_scalars(server, select(SimPod.authorized_keys).where(SimPod.instance_id == inst_id))
    assert len(rows) == 1, rows
    return str(rows[0])


def keygen_fingerprints(authorized_keys: str) -> list[str]:
    """``ssh-keygen -lf authorized_keys``: one SHA256 fingerprint per key line, in order."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "authorized_keys"
        path.write_text(authorized_keys)
        done = run_keygen("-l", "-E", "sha256", "-f", str(path))
    assert done.returncode == 0, done.stderr
    return [line.split()[1] for line in done.stdout.splitlines()]


def create_instance(api: httpx.Client, **fields: Any) -> httpx.Response:
    return api.post(INSTANCES, json={"name": unique("gpu"), "tier": "mig", **fields})


# -- groups -----------------------------------------------------------------------------------------

def test_create_list_and_duplicate_names(server: Server, me: Tenant, stranger: Tenant) -> None:
    r = me.api.post(GROUPS, json={"name": "ml-team", "description": "Keys of the ML team"})
    assert r.status_code == 201, r.text
    group = r.json()
    assert set(group) == {"id", "name", "description", "created_at", "keys"}, group
    assert group["id"].startswith("grp-") and group["name"] == "ml-team", group
    assert group["description"] == "Keys of the ML team" and group["keys"] == [] and group["created_at"]
    plain = new_group(me.api, "no-description")
    assert plain["description"] == ""

    err = assert_error(me.api.post(GROUPS, json={"name": "ml-team", "description": "again"}), 409,
                       "ConflictException", code="ResourceAlreadyExists")
    assert "ml-team" in err["message"]
    # Names are per account: a colleague and another tenant may use it.
    with member(server, me.name, "colleague@example.com") as colleague:
        theirs = new_group(colleague, "ml-team")
        assert list(groups_by_id(colleague)) == [theirs["id"]]
    new_group(stranger.api, "ml-team")

    assert list(groups_by_id(me.api)) == [group["id"], plain["id"]]
    r = me.api.get(group_path(group["id"]))
    assert r.status_code == 200 and r.json() == group, r.text
    assert_error(stranger.api.get(group_path(group["id"])), 404, "ResourceNotFoundException")
    assert_error(me.api.get(group_path("grp-unknown00000000")), 404, "ResourceNotFoundException")

    for payload, field in (({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                           ({"name": "x", "description": 5}, "description"), ({"name": "x", "keys": []}, "keys")):
        assert_error(me.api.post(GROUPS, json=payload), 400, "ValidationException", field=field)
    assert list(groups_by_id(me.api)) == [group["id"], plain["id"]]


def test_group_list_is_paginated(me: Tenant) -> None:
    made = [new_group(me.api, f"g{i}")["id"] for i in range(5)]
    seen: list[str] = []
    token = None
    pages = 0
    for _ in range(10):
        r = me.api.get(GROUPS, params={"maxResults": 2, **({"nextToken": token} if token else {})})
        assert r.status_code == 200, r.text
        pages += 1
        seen += [g["id"] for g in r.json()["ssh_key_groups"]]
        token = r.json()["nextToken"]
        if not token:
            break
    assert pages == 3 and seen == made


def test_add_and_remove_keys(server: Server, me: Tenant, stranger: Tenant) -> None:
    group = new_group(me.api, "ops")
    k1 = upload_ok(me.api, keygen_pair("ed25519").public)
    k2 = upload_ok(me.api, crypto_pair("rsa-2048").public)

    r = add_to_group(me.api, group["id"], k1["id"])
    assert r.status_code == 200, r.text
    assert r.json()["keys"] == [k1]
    r = add_to_group(me.api, group["id"], k2["id"])
    assert r.status_code == 200 and key_ids_of(r.json()) == [k1["id"], k2["id"]], r.text
    assert_error(add_to_group(me.api, group["id"], k1["id"]), 409, "ConflictException",
                 code="ResourceAlreadyExists")

    # Keys that are not mine, and groups that are not mine: not found.
    foreign = upload_ok(stranger.api, crypto_pair("ed25519").public)
    foreign_group = new_group(stranger.api, "theirs")
    with member(server, me.name, "colleague@example.com") as colleague:
        colleagues_key = upload_ok(colleague, crypto_pair("ed25519").public)
        colleagues_group = new_group(colleague, "colleague-group")
        for key_id in (colleagues_key["id"], foreign["id"], "key-unknown000000000", "garbage"):
            assert_error(add_to_group(me.api, group["id"], key_id), 404, "ResourceNotFoundException")
        for group_id in (colleagues_group["id"], foreign_group["id"], "grp-unknown00000000"):
            assert_error(add_to_group(me.api, group_id, k1["id"]), 404, "ResourceNotFoundException")
            assert_error(me.api.delete(group_path(group_id, k1["id"])), 404, "ResourceNotFoundException")
        # Nor can the colleague touch my group.
        assert_error(add_to_group(colleague, group["id"], colleagues_key["id"]), 404, "ResourceNotFoundException")
        assert_error(colleague.delete(group_path(group["id"], k1["id"])), 404, "ResourceNotFoundException")
        assert groups_by_id(colleague)[colleagues_group["id"]]["keys"] == []
    assert groups_by_id(stranger.api)[foreign_group["id"]]["keys"] == []
    assert_error(me.api.post(group_path(group["id"]) + "/keys", json={}), 400, "ValidationException",
                 field="ssh_key_id")

    listed = groups_by_id(me.api)[group["id"]]
    assert listed["keys"] == [k1, k2] and listed["description"] == group["description"]

    r = me.api.delete(group_path(group["id"], k1["id"]))
    assert r.status_code == 200 and r.json()["keys"] == [k2], r.text
    assert_error(me.api.delete(group_path(group["id"], k1["id"])), 404, "ResourceNotFoundException")
    assert_error(me.api.delete(group_path(group["id"], "not-a-key")), 404, "ResourceNotFoundException")
    assert groups_by_id(me.api)[group["id"]]["keys"] == [k2]
    # Removing from the group keeps the key itself; it can be added back.
    assert k1["id"] in [k["id"] for k in me.api.get(SSH_KEYS).json()["ssh_keys"]]
    r = add_to_group(me.api, group["id"], k1["id"])
    assert r.status_code == 200 and key_ids_of(r.json()) == [k2["id"], k1["id"]], r.text


def test_deleting_a_key_removes_it_from_every_group(me: Tenant) -> None:
    a, b = new_group(me.api, "a"), new_group(me.api, "b")
    gone = upload_ok(me.api, crypto_pair("ecdsa-p256").public)
    stays = upload_ok(me.api, crypto_pair("ed25519").public)
    for g in (a, b):
        for k in (gone, stays):
            assert add_to_group(me.api, g["id"], k["id"]).status_code == 200
    assert me.api.delete(f"{SSH_KEYS}/{gone['id']}").status_code == 200
    groups = groups_by_id(me.api)
    assert groups[a["id"]]["keys"] == [stays] and groups[b["id"]]["keys"] == [stays]
    assert_error(me.api.delete(group_path(a["id"], gone["id"])), 404, "ResourceNotFoundException")
    assert_error(add_to_group(me.api, a["id"], gone["id"]), 404, "ResourceNotFoundException")


# -- instances --------------------------------------------------------------------------------------

def test_instance_gets_its_key_and_every_key_of_its_group(server: Server, me: Tenant) -> None:
    group = new_group(me.api, "deploy", "who may log in")
    uploaded = upload_ok(me.api, keygen_pair("ecdsa-p384").public)
    r = generate(me.api, "ci-bot")
    assert r.status_code == 201, r.text
    generated = r.json()["ssh_key"]
    rsa = upload_ok(me.api, keygen_pair("rsa-4096").public)
    for k in (uploaded, generated, rsa):
        assert add_to_group(me.api, group["id"], k["id"]).status_code == 200
    own = keygen_pair("ed25519", "laptop@home").public

    r = create_instance(me.api, ssh_key=own, ssh_key_group=group["id"])
    assert r.status_code == 201, r.text
    inst = r.json()
    assert inst["ssh_key"] == own and inst["ssh_key_group"] == group["id"], inst
    wait_status(me.api, inst["id"], "running")

    rendered = authorized_keys_of(server, inst["id"])
    assert rendered == "".join(line + "\n" for line in (own, uploaded["public_key"], generated["public_key"],
                                                        rsa["public_key"])), rendered
    assert keygen_fingerprints(rendered)[1:] == [uploaded["fingerprint"], generated["fingerprint"],
                                                 rsa["fingerprint"]]

    # The group alone, and a key that is also in the group only once.
    r = create_instance(me.api, ssh_key_group=group["id"], workload_type="batch", tier="timesliced")
    assert r.status_code == 201, r.text
    only_group = r.json()
    r = create_instance(me.api, ssh_key=uploaded["public_key"], ssh_key_group=group["id"], tier="timesliced")
    assert r.status_code == 201, r.text
    overlap = r.json()
    for i in (only_group, overlap):
        wait_status(me.api, i["id"], "running")
    expected = [uploaded["public_key"], generated["public_key"], rsa["public_key"]]
    assert authorized_keys_of(server, only_group["id"]).splitlines() == expected
    assert authorized_keys_of(server, overlap["id"]).splitlines() == expected


def test_instance_with_empty_group_or_key_only(server: Server, me: Tenant) -> None:
    empty = new_group(me.api, "empty")
    own = crypto_pair("ed25519", "solo@host").public
    made = []
    for fields in ({"ssh_key_group": empty["id"]}, {"ssh_key": own}):
        r = create_instance(me.api, tier="timesliced", **fields)
        assert r.status_code == 201, r.text
        made.append(r.json())
    for inst in made:
        wait_status(me.api, inst["id"], "running")
    assert authorized_keys_of(server, made[0]["id"]) == ""
    assert authorized_keys_of(server, made[1]["id"]) == own + "\n"


def test_unknown_or_foreign_group_is_400_and_writes_nothing(server: Server, me: Tenant, stranger: Tenant) -> None:
    foreign = new_group(stranger.api, "theirs")
    assert add_to_group(stranger.api, foreign["id"],
                        upload_ok(stranger.api, crypto_pair("ed25519").public)["id"]).status_code == 200
    with member(server, me.name, "colleague@example.com") as colleague:
        colleagues = new_group(colleague, "colleagues")
    own = crypto_pair("ed25519").public
    for group_id in (foreign["id"], colleagues["id"], "grp-unknown00000000", "not-a-group", "key-" + "0" * 16):
        for key_api in (me.api, me.key_api):
            r = create_instance(key_api, ssh_key=own, ssh_key_group=group_id)
            err = assert_error(r, 400, "ValidationException", field="ssh_key_group")
            assert group_id in err["message"], err
    assert me.api.get(INSTANCES).json()["instances"] == []
    account = me.account_id
    assert count_rows(server, Instance, account_id=account) == 0
    assert count_rows(server, Event, account_id=account, resource_type="instance") == 0
    assert db_scalars(server, select(SimPod.authorized_keys).where(SimPod.authorized_keys.contains(own[:60]))) == []


# -- GraphQL ----------------------------------------------------------------------------------------

def test_graphql_groups_feed_instances(server: Server, me: Tenant) -> None:
    key = upload_ok(me.api, keygen_pair("ed25519").public)
    made_group = gql_data(me.api, """
        mutation G($input: CreateSshKeyGroupInput!) {
          createSshKeyGroup(input: $input) { dryRun valid sshKeyGroup { id name description keys { id } } }
        }
    """, {"input": {"name": "gql-group", "description": "made over GraphQL"}})["createSshKeyGroup"]
    assert made_group["dryRun"] is False and made_group["valid"] is True, made_group
    group = made_group["sshKeyGroup"]
    assert group["keys"] == [] and group["description"] == "made over GraphQL"
    added = gql_data(me.api, """
        mutation A($g: ID!, $k: ID!) {
          addSshKeyToGroup(groupId: $g, sshKeyId: $k) { sshKeyGroup { keys { id fingerprint } } }
        }
    """, {"g": group["id"], "k": key["id"]})["addSshKeyToGroup"]["sshKeyGroup"]
    assert added["keys"] == [{"id": key["id"], "fingerprint": key["fingerprint"]}]
    dup = gql_error(me.api, """
        mutation A($g: ID!, $k: ID!) { addSshKeyToGroup(groupId: $g, sshKeyId: $k) { sshKeyGroup { id } } }
    """, {"g": group["id"], "k": key["id"]})
    assert dup["extensions"]["code"] == "ConflictException", dup
    listed = gql_data(me.api, "{ sshKeyGroups { items { id keys { id } } nextToken } }")["sshKeyGroups"]
    assert listed["items"] == [{"id": group["id"], "keys": [{"id": key["id"]}]}]

    made = gql_data(me.api, """
        mutation C($input: CreateInstanceInput!) { createInstance(input: $input) { instance { id sshKeyGroup } } }
    """, {"input": {"name": unique("gql"), "tier": "mig", "sshKeyGroup": group["id"]}})["createInstance"]["instance"]
    assert made["sshKeyGroup"] == group["id"]
    wait_status(me.api, made["id"], "running")
    assert authorized_keys_of(server, made["id"]) == key["public_key"] + "\n"

    bad = gql_error(me.api, """
        mutation C($input: CreateInstanceInput!) { createInstance(input: $input) { instance { id } } }
    """, {"input": {"name": unique("gql"), "tier": "mig", "sshKeyGroup": "grp-unknown00000000"}})
    assert bad["extensions"]["code"] == "ValidationException" and bad["extensions"]["field"] == "ssh_key_group", bad

    removed = gql_data(me.api, """
        mutation R($g: ID!, $k: ID!) {
          removeSshKeyFromGroup(groupId: $g, sshKeyId: $k) { sshKeyGroup { keys { id } } }
        }
    """, {"g": group["id"], "k": key["id"]})["removeSshKeyFromGroup"]["sshKeyGroup"]
    assert removed["keys"] == []
