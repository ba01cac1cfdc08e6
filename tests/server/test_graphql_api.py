"""GraphQL over real HTTP and graphql-transport-ws: instance queries and mutations agree with REST,
errors carry the API error type in extensions.code, hostile queries are refused while the server
stays responsive, and the events subscription shows a caller only its own resources."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy import func, select

from icgpu.db.tables import Account, Event, Instance, Tenant
from tests.support.graphql import (
    EVENTS_SUB,
    INSTANCES,
    SSH,
    arm,
    db_scalars,
    error_codes,
    gql_data,
    gql_error,
    gql_post,
    gql_refused,
    rest_create,
    rest_get,
    subscribe,
    wait_status,
)
from tests.support.server import Server

INSTANCE_FIELDS = """
  id name tier workloadType storageGb sshKey status statusReason sshHost sshPort hourlyPrice
  createdAt updatedAt terminatedAt
  owner { id email role }
  tierInfo { id name pricePerHour batchPricePerHour }
"""
CREATE = f"""
mutation Create($input: CreateInstanceInput!, $dryRun: Boolean! = false) {{
  createInstance(input: $input, dryRun: $dryRun) {{
    dryRun valid
    instance {{ {INSTANCE_FIELDS} }}
  }}
}}
"""
GET = f"query Get($id: ID!) {{ instance(id: $id) {{ {INSTANCE_FIELDS} }} }}"
LIST = f"""
query List($max: Int, $next: String) {{
  instances(maxResults: $max, nextToken: $next) {{ items {{ {INSTANCE_FIELDS} }} nextToken }}
}}
"""
ACTIONS = ("startInstance", "stopInstance", "requeueInstance", "deleteInstance")
QUICK = 5.0  # seconds a plain query may take right after a refused hostile one


def action(name: str) -> str:
    return f"mutation Act($id: ID!) {{ {name}(id: $id) {{ dryRun valid instance {{ {INSTANCE_FIELDS} }} }} }}"


def acted(c: Caller, name: str, inst_id: str) -> dict[str, Any]:
    """The instance a lifecycle mutation (not a dry run) left behind."""
    payload = gql_data(c.api, action(name), {"id": inst_id})[name]
    assert payload["dryRun"] is False and payload["valid"] is True, payload
    inst: dict[str, Any] = payload["instance"]
    return inst


@dataclass
class Caller:
    tenant: str
    email: str
    account_id: str
    token: str
    api: httpx.Client


@pytest.fixture(scope="module")
def callers(server: Server) -> Iterator[dict[str, Caller]]:
    made: dict[str, Caller] = {}
    for who in ("gq-alpha", "gq-beta"):
        email = f"owner@{who}.example.com"
        boot = server.bootstrap(who, email)
        made[who] = Caller(who, email, boot["account_id"], boot["oidc_token"], server.client(boot["oidc_token"]))
    yield made
    for c in made.values():
        c.api.close()


@pytest.fixture
def alpha(callers: dict[str, Caller]) -> Caller:
    return callers["gq-alpha"]


@pytest.fixture
def beta(callers: dict[str, Caller]) -> Caller:
    return callers["gq-beta"]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def assert_agrees(g: dict[str, Any], r: dict[str, Any], owner: Caller) -> None:
    """One instance as GraphQL and as REST show it."""
    assert g["id"] == r["id"]
    assert g["name"] == r["name"] and g["tier"] == r["tier"]
    assert g["workloadType"] == r["workload_type"].upper()
    assert g["storageGb"] == r["storage_gb"] and g["sshKey"] == r["ssh_key"]
    assert g["status"] == r["status"].upper() and g["statusReason"] == r["status_reason"]
    assert g["sshHost"] == r["ssh_host"] and g["sshPort"] == r["ssh_port"]
    assert g["hourlyPrice"] == pytest.approx(r["hourly_price"])
    assert when(g["createdAt"]) == when(r["created_at"]) and when(g["updatedAt"]) == when(r["updated_at"])
    assert (g["terminatedAt"] is None) == (r["terminated_at"] is None)
    assert g["owner"] == {"id": owner.account_id, "email": owner.email, "role": g["owner"]["role"]}
    assert r["account_id"] == owner.account_id
    assert g["tierInfo"]["id"] == r["tier"]


def create(c: Caller, name: str, tier: str = "mig", **fields: Any) -> dict[str, Any]:
    payload = gql_data(c.api, CREATE, {"input": {"name": name, "tier": tier, **fields}})["createInstance"]
    assert payload["dryRun"] is False and payload["valid"] is True and payload["instance"] is not None, payload
    inst: dict[str, Any] = payload["instance"]
    return inst


def counts(server: Server, tenant_id: str) -> tuple[int, int, int]:
    """(instance rows, event rows, storage used) for one tenant, read from the database."""
    inst = db_scalars(server, select(func.count()).select_from(Instance).where(Instance.tenant_id == tenant_id))
    ev = db_scalars(server, select(func.count()).select_from(Event).where(Event.tenant_id == tenant_id))
    used = db_scalars(server, select(Tenant.storage_used_gb).where(Tenant.id == tenant_id))
    return int(inst[0]), int(ev[0]), int(used[0])


def tenant_id_of(server: Server, c: Caller) -> str:
    return str(db_scalars(server, select(Account.tenant_id).where(Account.id == c.account_id))[0])


def quick_query(client: httpx.Client) -> None:
    """The server still answers an ordinary query promptly."""
    started = time.monotonic()
    data = gql_data(client, "{ gpuTiers { id pricePerHour } instances(maxResults: 5) { items { id } } }")
    assert {t["id"] for t in data["gpuTiers"]} == {"dedicated", "mig", "timesliced"}
    assert time.monotonic() - started < QUICK


# -- queries and mutations -----------------------------------------------------------------------

def test_create_list_and_get_agree_with_rest(server: Server, alpha: Caller) -> None:
    g = create(alpha, "gq-agree", "mig", sshKey=SSH, storageGb=120, workloadType="BATCH")
    assert g["id"].startswith("inst-") and g["status"] == "PENDING"
    assert g["workloadType"] == "BATCH" and g["storageGb"] == 120 and g["sshKey"] == SSH
    assert g["hourlyPrice"] == pytest.approx(g["tierInfo"]["batchPricePerHour"])
    assert g["hourlyPrice"] == pytest.approx(g["tierInfo"]["pricePerHour"] / 2)
    r = rest_get(alpha.api, g["id"])
    assert r["status"] in ("pending", "provisioning", "running")

    running = wait_status(alpha.api, g["id"], "running")
    assert running["ssh_host"] and running["ssh_port"]
    got = gql_data(alpha.api, GET, {"id": g["id"]})["instance"]
    assert_agrees(got, rest_get(alpha.api, g["id"]), alpha)
    assert got["status"] == "RUNNING" and got["sshPort"] == running["ssh_port"]

    other = create(alpha, "gq-agree-2", "dedicated")
    # The whole list, one page at a time, in the same order as REST's.
    ids: list[str] = []
    token = None
    for _ in range(10):
        page = gql_data(alpha.api, LIST, {"max": 1, "next": token})["instances"]
        assert len(page["items"]) <= 1
        for item in page["items"]:
            assert item["owner"]["id"] == alpha.account_id and item["owner"]["email"] == alpha.email
            assert item["tierInfo"]["id"] == item["tier"]
        ids += [i["id"] for i in page["items"]]
        token = page["nextToken"]
        if token is None:
            break
    rest_ids = [i["id"] for i in alpha.api.get(INSTANCES, params={"maxResults": 100}).json()["instances"]]
    assert ids == rest_ids and {g["id"], other["id"]} <= set(ids)
    whole = gql_data(alpha.api, LIST, {"max": 100})["instances"]
    assert [i["id"] for i in whole["items"]] == rest_ids and whole["nextToken"] is None
    for inst in (g, other):
        gql_data(alpha.api, action("deleteInstance"), {"id": inst["id"]})


def test_lifecycle_mutations(alpha: Caller) -> None:
    inst = create(alpha, "gq-life", "timesliced")
    wait_status(alpha.api, inst["id"], "running")
    vars_ = {"id": inst["id"]}

    err = gql_error(alpha.api, action("startInstance"), vars_)
    assert err["extensions"]["code"] == "ConflictException" and err["path"] == ["startInstance"]
    assert err["extensions"]["reason"] == "InvalidStateTransition" and "running" in err["message"]
    err = gql_error(alpha.api, action("requeueInstance"), vars_)
    assert err["extensions"]["code"] == "ConflictException" and "preempted" in err["message"]

    stopped = acted(alpha, "stopInstance", inst["id"])
    assert stopped["status"] == "STOPPING" and stopped["statusReason"] == "stop requested"
    assert rest_get(alpha.api, inst["id"])["status"] in ("stopping", "stopped")
    wait_status(alpha.api, inst["id"], "stopped")
    now = gql_data(alpha.api, GET, vars_)["instance"]
    assert now["status"] == "STOPPED" and now["sshHost"] is None and now["sshPort"] is None
    assert_agrees(now, rest_get(alpha.api, inst["id"]), alpha)
    err = gql_error(alpha.api, action("stopInstance"), vars_)
    assert err["extensions"]["code"] == "ConflictException"

    started = acted(alpha, "startInstance", inst["id"])
    assert started["status"] == "PENDING" and started["statusReason"] == "start requested"
    wait_status(alpha.api, inst["id"], "running")

    deleted = acted(alpha, "deleteInstance", inst["id"])
    assert deleted["status"] == "TERMINATED" and deleted["terminatedAt"] is not None
    assert_agrees(deleted, rest_get(alpha.api, inst["id"]), alpha)
    assert inst["id"] not in [i["id"] for i in gql_data(alpha.api, LIST, {"max": 100})["instances"]["items"]]
    for name in ACTIONS:
        err = gql_error(alpha.api, action(name), vars_)
        assert err["extensions"]["code"] == "ConflictException", (name, err)


def test_dry_run_writes_nothing(server: Server, alpha: Caller) -> None:
    tenant_id = tenant_id_of(server, alpha)
    before = counts(server, tenant_id)
    payload = gql_data(alpha.api, CREATE, {"dryRun": True, "input": {
        "name": "gq-dry", "tier": "dedicated", "storageGb": 200, "workloadType": "BATCH"}})["createInstance"]
    assert payload["dryRun"] is True and payload["valid"] is True, payload
    would = payload["instance"]
    assert {k: would[k] for k in ("name", "tier", "workloadType", "storageGb", "hourlyPrice")} == {
        "name": "gq-dry", "tier": "dedicated", "workloadType": "BATCH", "storageGb": 200,
        "hourlyPrice": pytest.approx(2.49 / 2)}
    assert would["status"] == "PENDING" and would["owner"]["id"] == alpha.account_id
    assert counts(server, tenant_id) == before
    assert "gq-dry" not in [i["name"] for i in alpha.api.get(INSTANCES).json()["instances"]]
    # The id shown was not reserved: nothing answers to it.
    err = gql_error(alpha.api, GET, {"id": would["id"]})
    assert err["extensions"]["code"] == "ResourceNotFoundException", err

    # Every check still runs: invalid input fails a dry run too, and writes nothing either.
    err = gql_error(alpha.api, CREATE, {"dryRun": True, "input": {"name": "gq-dry", "tier": "dedicated",
                                                                  "storageGb": 5}})
    assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == "storageGb"
    assert counts(server, tenant_id) == before

    # The name was never taken: a real create with it succeeds.
    real = create(alpha, "gq-dry", "dedicated", storageGb=200)
    instances, events, used = counts(server, tenant_id)
    assert (instances, used) == (before[0] + 1, before[2] + 200) and events > before[1]
    gql_data(alpha.api, action("deleteInstance"), {"id": real["id"]})


def test_another_tenants_instance_is_not_found(alpha: Caller, beta: Caller) -> None:
    theirs = rest_create(beta.api, "gq-private", "mig")
    err = gql_error(alpha.api, GET, {"id": theirs["id"]})
    assert err["extensions"]["code"] == "ResourceNotFoundException" and err["path"] == ["instance"]
    for name in ACTIONS:
        err = gql_error(alpha.api, action(name), {"id": theirs["id"]})
        assert err["extensions"]["code"] == "ResourceNotFoundException", (name, err)
        assert err["extensions"]["status"] == 404
    assert theirs["id"] not in [i["id"] for i in gql_data(alpha.api, LIST, {"max": 100})["instances"]["items"]]
    # Untouched: still the owner's, still live.
    mine = gql_data(beta.api, GET, {"id": theirs["id"]})["instance"]
    assert mine["owner"]["id"] == beta.account_id and mine["status"] in ("PENDING", "PROVISIONING", "RUNNING")
    gql_data(beta.api, action("deleteInstance"), {"id": theirs["id"]})


def test_missing_or_bad_credentials_are_authentication_errors(server: Server, alpha: Caller) -> None:
    tenant_id = tenant_id_of(server, alpha)
    before = counts(server, tenant_id)
    with server.client() as anon, server.client("not-a-real-token") as bad:
        for query, variables in ((LIST, {}), (GET, {"id": "inst-x"}),
                                 (CREATE, {"input": {"name": "gq-anon", "tier": "mig"}}),
                                 (action("deleteInstance"), {"id": "inst-x"})):
            # No credential: the operation runs, and each non-public field answers the error.
            err = gql_error(anon, query, variables)
            assert err["extensions"]["code"] == "AuthenticationError", err
            assert err["extensions"]["status"] == 401
            # A bad credential: the request is refused with 401 before it executes.
            err = gql_refused(bad, query, variables, status=401)
            assert err["extensions"]["code"] == "AuthenticationError", err
        # The tier list is public.
        assert len(gql_data(anon, "{ gpuTiers { id } }")["gpuTiers"]) == 3
    assert counts(server, tenant_id) == before


# -- hostile queries ------------------------------------------------------------------------------

def nested_of_type(levels: int) -> str:
    return "{ __schema { types { fields { type " + "{ ofType " * levels + "{ name }" + " }" * levels + " } } } }"


def test_deep_queries_are_refused(alpha: Caller) -> None:
    for query in (
        nested_of_type(20),
        # the same, hidden in a fragment
        "query Q { ...F } fragment F on Query { __type(name: \"Instance\") { fields { type "
        + "{ ofType " * 20 + "{ name }" + " }" * 20 + " } } }",
    ):
        started = time.monotonic()
        body = gql_post(alpha.api, query)
        assert body.get("data") is None, body
        assert any("depth" in e["message"] for e in body["errors"]), body
        assert set(error_codes(body)) == {"ValidationException"}, body
        assert time.monotonic() - started < QUICK
        quick_query(alpha.api)

    # What GraphiQL and code generators send is still answered.
    full = gql_data(alpha.api, get_introspection_query(descriptions=True, specified_by_url=True,
                                                      directive_is_repeatable=True, schema_description=True,
                                                      input_value_deprecation=True))
    names = {t["name"] for t in full["__schema"]["types"]}
    assert {"Query", "Mutation", "Subscription", "Instance"} <= names


def test_deep_query_past_a_configured_depth_is_refused(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_GRAPHQL_MAX_DEPTH="1")
    with srv.client() as anon:
        assert gql_data(anon, "{ gpuTiers { id } }")["gpuTiers"]
        body = gql_post(anon, "{ instances { items { owner { id } } } }")
        assert body.get("data") is None and any("depth" in e["message"] for e in body["errors"]), body
        assert set(error_codes(body)) == {"ValidationException"}
        # Introspection keeps the allowance the standard introspection query needs.
        assert gql_data(anon, get_introspection_query())["__schema"]["queryType"]["name"] == "Query"
        body = gql_post(anon, nested_of_type(20))
        assert body.get("data") is None and any("depth" in e["message"] for e in body["errors"]), body


def test_too_many_aliases_are_refused(alpha: Caller) -> None:
    def aliased(n: int) -> str:
        return "{ " + " ".join(f"t{i}: gpuTiers {{ id }}" for i in range(n)) + " }"

    assert len(gql_data(alpha.api, aliased(30))) == 30
    for n in (31, 200):
        started = time.monotonic()
        body = gql_post(alpha.api, aliased(n))
        assert body.get("data") is None, body
        assert any("aliases" in e["message"] and "30" in e["message"] for e in body["errors"]), body
        assert set(error_codes(body)) == {"ValidationException"}, body
        assert time.monotonic() - started < QUICK
        quick_query(alpha.api)


def test_too_many_tokens_are_refused(alpha: Caller) -> None:
    body = gql_post(alpha.api, "{ gpuTiers { " + "id " * 5000 + "} }")
    assert body.get("data") is None and error_codes(body) == ["ValidationException"], body
    assert "token" in body["errors"][0]["message"].lower()
    quick_query(alpha.api)


def test_costly_queries_are_refused(make_server: Any, server: Server, alpha: Caller) -> None:
    srv: Server = make_server(ICGPU_GRAPHQL_MAX_COST="50")
    boot = srv.bootstrap("gq-cost", "owner@gq-cost.example.com")
    with srv.client(boot["oidc_token"]) as api:
        for i in range(2):
            rest_create(api, f"gq-cost-{i}", "mig")
        costly = "{ instances(maxResults: 100) { items { id owner { id email } tierInfo { id } } } }"
        started = time.monotonic()
        err = gql_error(api, costly)
        assert "cost" in err["message"] and "50" in err["message"], err
        assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["status"] == 400
        assert time.monotonic() - started < QUICK
        # A small page of the same shape fits the budget and is answered at once.
        started = time.monotonic()
        items = gql_data(api, costly.replace("maxResults: 100", "maxResults: 2"))["instances"]["items"]
        assert len(items) == 2 and all(i["owner"]["id"] == boot["account_id"] for i in items)
        assert time.monotonic() - started < QUICK

    # The default budget (5000) stops three 100-item pages of everything, before any resolver runs.
    page = f"instances(maxResults: 100) {{ items {{ {INSTANCE_FIELDS} }} }}"
    err = gql_error(alpha.api, f"{{ a: {page} b: {page} c: {page} }}")
    assert "cost" in err["message"] and err["extensions"]["code"] == "ValidationException"
    quick_query(alpha.api)


# -- the events subscription ------------------------------------------------------------------------

async def test_events_subscription_shows_only_the_callers_instances(server: Server, alpha: Caller,
                                                                    beta: Caller) -> None:
    a_api = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {alpha.token}"}, timeout=30)
    b_api = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {beta.token}"}, timeout=30)
    async with a_api, b_api, subscribe(server, alpha.token, EVENTS_SUB, {"types": ["instance.*"]}) as stream:
        await arm(stream, a_api, stop=False)
        r = await b_api.post(INSTANCES, json={"name": "gq-theirs", "tier": "dedicated"})
        assert r.status_code == 201
        theirs = r.json()["id"]
        r = await a_api.post(INSTANCES, json={"name": "gq-mine", "tier": "dedicated"})
        assert r.status_code == 201
        mine = r.json()["id"]
        started = await stream.until(lambda ev: ev["events"]["resourceId"] == mine
                                     and ev["events"]["type"] == "instance.started")
        assert started["events"]["resourceType"] == "instance"
        assert started["events"]["data"]["status"] == "running"
        assert started["events"]["data"]["previous_status"] == "provisioning"
        # Make sure the other tenant's instance went through its own changes meanwhile, then read up
        # to a later event of ours: everything committed before it has been delivered by then.
        for _ in range(200):
            if (await b_api.get(f"{INSTANCES}/{theirs}")).json()["status"] == "running":
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the other tenant's instance never ran")
        assert (await a_api.delete(f"{INSTANCES}/{mine}")).status_code == 200
        await stream.until(lambda ev: ev["events"]["resourceId"] == mine
                           and ev["events"]["type"] == "instance.terminated")
        assert (await b_api.delete(f"{INSTANCES}/{theirs}")).status_code == 200

    seen = [ev["events"] for ev in stream.seen]
    assert all(ev["type"].startswith("instance.") for ev in seen), seen
    assert theirs not in {ev["resourceId"] for ev in seen}, seen
    assert all(ev["data"]["id"] == ev["resourceId"] for ev in seen), seen
    mine_types = [ev["type"] for ev in seen if ev["resourceId"] == mine]
    assert mine_types == ["instance.created", "instance.provisioning", "instance.started", "instance.terminated"]


async def test_events_subscription_filters_by_type(server: Server, alpha: Caller) -> None:
    a_api = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {alpha.token}"}, timeout=30)
    async with a_api, subscribe(server, alpha.token, EVENTS_SUB, {"types": ["instance.stopped"]}) as stream:
        await arm(stream, a_api, stop=True)
        r = await a_api.post(INSTANCES, json={"name": "gq-filter", "tier": "timesliced"})
        assert r.status_code == 201
        inst = r.json()["id"]
        for _ in range(400):
            if (await a_api.get(f"{INSTANCES}/{inst}")).json()["status"] == "running":
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("instance never ran")
        assert (await a_api.post(f"{INSTANCES}/{inst}/stop")).status_code == 200
        ev = (await stream.next(within=15))["events"]
        assert (ev["type"], ev["resourceId"]) == ("instance.stopped", inst)
        assert ev["data"]["previous_status"] == "stopping"
        assert (await a_api.delete(f"{INSTANCES}/{inst}")).status_code == 200
    assert {e["events"]["type"] for e in stream.seen} == {"instance.stopped"}, stream.seen
