"""Input hygiene on a live server (run on SQLite and on PostgreSQL): odd page tokens, undecodable
bodies and control characters in stored text are each a 400 naming the field, never a 500, and
nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.graphql import gql_data, gql_error
from tests.support.hygiene import (
    JSON,
    WRITES,
    assert_refusal,
    camel,
    graphql_variables,
    input_models,
    odd_ids,
    table_counts,
    tainted,
    text_fields,
)
from tests.support.server import Server
from tests.support.tenants import Tenant, open_tenant

# C0 (NUL, BEL, ESC, line feed), DEL, C1 (NEL, CSI), a non-character.
CONTROL = ("\x00", "\x07", "\x1b", "\n", "\x7f", "\x85", "\x9b", "\uffff")

REST_LISTS = ("/api/v1/instances", "/api/v1/teams", "/api/v1/api-keys", "/api/v1/ssh-keys",
              "/api/v1/ssh-key-groups", "/api/v1/vms", "/api/v1/vm-networks", "/api/v1/vm-disks",
              "/api/v1/clusters", "/api/v1/slurm-environments", "/api/v1/functions")
GRAPHQL_LISTS = ("instances", "teams", "apiKeys", "sshKeys", "sshKeyGroups", "vms", "vmNetworks", "vmDisks",
                 "clusters", "slurmEnvironments", "functions")
ODD_TOKENS = ("\U0001f600", "\u00e9.\u00e9", "\x00", "\x00.\x00", "a" * 1000, ".", "abc", "abc.", ".abc",
              "a b.c", "\u202e.x", "eyJ9.AAAAAAAAAAAAAAAAAAAAAA", "%00")


@pytest.fixture(scope="module")
def dana(server: Server) -> Iterator[Tenant]:
    with open_tenant(server, "hygiene-co", "dana@example.com") as tenant:
        yield tenant


@pytest.fixture(scope="module")
def parents(dana: Tenant) -> dict[str, str]:
    """Real parents for the nested lists: a team, a VM network and a function (rows only: nothing
    for a reconciler to provision)."""
    made = {}
    for kind, path, body in (("team", "/api/v1/teams", {"name": "token team"}),
                             ("network", "/api/v1/vm-networks", {"name": "token-net"}),
                             ("function", "/api/v1/functions",
                              {"name": "token-fn", "image": "python:3.11", "entrypoint": "python main.py"})):
        r = dana.api.post(path, json=body)
        assert r.status_code == 201, r.text
        made[kind] = r.json()["id"]
    return made


def nested_rest_lists(parents: dict[str, str]) -> tuple[str, ...]:
    return (f"/api/v1/teams/{parents['team']}/members", f"/api/v1/vm-networks/{parents['network']}/subnets",
            f"/api/v1/vm-networks/{parents['network']}/firewall-rules",
            f"/api/v1/functions/{parents['function']}/runs")


def bad_token(r: httpx.Response) -> None:
    assert_refusal(r, 400, "ValidationException", code="InvalidPaginationToken", field="nextToken")


# -- nextToken ------------------------------------------------------------------------------------

def test_odd_next_tokens_are_400_on_every_rest_list(server: Server, dana: Tenant, parents: dict[str, str]) -> None:
    lists = (*REST_LISTS, *nested_rest_lists(parents))
    before = table_counts(server)
    for path in lists:
        for token in ODD_TOKENS:
            bad_token(dana.api.get(path, params={"nextToken": token, "maxResults": 1}))
        # Raw, undecoded junk in the query string: a NUL byte, invalid UTF-8, an overlong token.
        for raw in ("%00", "%FF%FE", "%C0%80", "%F0%9F%98%80." + "A" * 40):
            bad_token(dana.api.get(f"{path}?nextToken={raw}"))
        # Over the route's own length limit: still a 400 naming nextToken.
        assert_refusal(dana.api.get(path, params={"nextToken": "a" * 5000}), 400, "ValidationException",
                       field="nextToken")
    assert table_counts(server) == before


def test_a_token_from_another_list_or_altered_is_400(server: Server, dana: Tenant) -> None:
    for name in ("one", "two"):
        r = dana.api.post("/api/v1/ssh-key-groups", json={"name": f"grp-{name}"})
        assert r.status_code == 201, r.text
    page = dana.api.get("/api/v1/ssh-key-groups", params={"maxResults": 1})
    token = page.json()["nextToken"]
    assert token, page.text
    assert dana.api.get("/api/v1/ssh-key-groups", params={"nextToken": token}).status_code == 200
    bad_token(dana.api.get("/api/v1/teams", params={"nextToken": token}))
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    bad_token(dana.api.get("/api/v1/ssh-key-groups", params={"nextToken": altered}))
    bad_token(dana.api.get("/api/v1/ssh-key-groups", params={"nextToken": token + "\x00"}))
    data = gql_data(dana.api, "query($t: String) { sshKeyGroups(maxResults: 1, nextToken: $t) { nextToken } }",
                    {"t": token})
    assert "sshKeyGroups" in data
    err = gql_error(dana.api, "query($t: String) { teams(nextToken: $t) { nextToken } }", {"t": token})
    assert err["extensions"]["reason"] == "InvalidPaginationToken"


def test_odd_next_tokens_are_400_on_every_graphql_list(server: Server, dana: Tenant,
                                                       parents: dict[str, str]) -> None:
    team = gql_data(dana.api, 'mutation { createTeam(input: {name: "gql token team"}) { __typename } }')
    assert team
    team_id = dana.api.get("/api/v1/teams", params={"maxResults": 100}).json()["teams"][0]["id"]
    queries = {f: f"query($t: String) {{ {f}(nextToken: $t) {{ nextToken }} }}" for f in GRAPHQL_LISTS}
    queries["teamMembers"] = ("query($t: String) { teamMembers(teamId: \"" + team_id
                              + "\", nextToken: $t) { nextToken } }")
    for field, arg, parent in (("subnets", "networkId", parents["network"]),
                               ("firewallRules", "networkId", parents["network"]),
                               ("functionRuns", "functionId", parents["function"])):
        queries[field] = f'query($t: String) {{ {field}({arg}: "{parent}", nextToken: $t) {{ nextToken }} }}'
    before = table_counts(server)
    for name, query in queries.items():
        for token in (*ODD_TOKENS, "a" * 5000):
            err = gql_error(dana.api, query, {"t": token})
            ext = err["extensions"]
            assert (ext["code"], ext["status"], ext["reason"], ext["field"]) == \
                ("ValidationException", 400, "InvalidPaginationToken", "nextToken"), (name, token, err)
    assert table_counts(server) == before


# -- undecodable bodies -------------------------------------------------------------------------------

BAD_BODIES: dict[str, bytes] = {
    "invalid-utf8": b'{"name": "\xff\xfe"}',
    "overlong-utf8": b'{"name": "\xc0\x80"}',
    "utf16": '{"name": "x"}'.encode("utf-16"),
    "nan": b'{"name": NaN}',
    "infinity": b'{"name": -Infinity}',
    "surrogate-key": b'{"\\udfff": 1}',
    "deep-objects": b'{"a":' * 100 + b"1" + b"}" * 100,
    "deep-arrays": b"[" * 100_000 + b"]" * 100_000,
    "truncated": b'{"name": ',
}


def test_undecodable_bodies_are_400_on_every_rest_json_route(server: Server, dana: Tenant) -> None:
    before = table_counts(server)
    for model, write in WRITES.items():
        for what, raw in BAD_BODIES.items():
            r = dana.api.request(write.method, write.path, content=raw, headers=JSON)
            err = assert_refusal(r, 400, "ValidationException", field="body")
            assert err["code"] in ("MalformedJson", "ValidationException"), (model, what, err)
        # A lone surrogate escape is valid JSON but not Unicode: refused naming the field.
        field = next(iter(write.samples))
        raw = json.dumps(write.body(field, "x\\ud800")).replace("\\\\ud800", "\\ud800").encode()
        err = assert_refusal(dana.api.request(write.method, write.path, content=raw, headers=JSON), 400,
                             "ValidationException", field=write.rest_name(field))
        assert "U+D800" in err["message"], err
    assert table_counts(server) == before


@pytest.mark.parametrize("authenticated", [True, False], ids=["with-credential", "anonymous"])
def test_undecodable_bodies_are_400_on_graphql(server: Server, dana: Tenant, authenticated: bool) -> None:
    with server.client(dana.api_key if authenticated else None) as client:
        check_graphql_bodies(server, client)


def check_graphql_bodies(server: Server, client: httpx.Client) -> None:
    before = table_counts(server)
    mutation = 'mutation { createTeam(input: {name: \\"never\\"}) { __typename } }'
    bodies = {**BAD_BODIES,
              "nan-variable": b'{"query": "' + mutation.encode() + b'", "variables": {"x": NaN}}',
              "deep-variables": b'{"query": "{ gpuTiers { id } }", "variables": {"v": '
                                + b"[" * 80 + b"]" * 80 + b"}}"}
    raw = b'{"query": "query($x: String) { gpuTiers { id } }", "variables": {"x": "a\\udc00"}}'
    assert_refusal(client.post("/graphql", content=raw, headers=JSON), 400, "ValidationException",
                   field="variables.x", graphql=True)
    for what, raw in bodies.items():
        r = client.post("/graphql", content=raw, headers=JSON)
        err = assert_refusal(r, 400, "ValidationException", field="body", graphql=True)
        assert err["code"] == "MalformedJson", (what, err)
    for raw, field in ((b"[]", "body"), (b'"query"', "body"), (b"null", "body"), (b"", "body"),
                       (b'{"query": 5}', "query"),
                       (b'{"query": "{ gpuTiers { id } }", "variables": [1]}', "variables"),
                       (b'{"query": "{ gpuTiers { id } }", "operationName": {}}', "operationName")):
        assert_refusal(client.post("/graphql", content=raw, headers=JSON), 400, "ValidationException",
                       field=field, graphql=True)
    # A query sent with GET decodes its variables with the same decoder.
    r = client.get("/graphql", params={"query": "{ gpuTiers { id } }", "variables": '{"x": NaN}'})
    assert_refusal(r, 400, "ValidationException", code="MalformedJson", graphql=True)
    assert table_counts(server) == before
    # And a sane body still works.
    assert [t["id"] for t in gql_data(client, "{ gpuTiers { id } }")["gpuTiers"]]


# -- control characters in stored text ----------------------------------------------------------------

def test_every_text_field_of_every_write_is_covered() -> None:
    """The table below must name every input model that stores text, so a new one is tested."""
    models = input_models()
    with_text = {name for name, model in models.items() if text_fields(model)}
    assert with_text <= set(WRITES), f"add these input models to tests/support/hygiene.py WRITES: " \
                                     f"{sorted(with_text - set(WRITES))}"
    for name, write in WRITES.items():
        missing = set(text_fields(models[name])) - set(write.samples)
        assert not missing, f"{name}: give a sample value for {sorted(missing)}"


def control_cases() -> Iterator[tuple[str, str, bool]]:
    models = input_models()
    for name in WRITES:
        for field, is_list in text_fields(models[name]).items():
            yield name, field, is_list


def test_every_sample_is_valid_input() -> None:
    """Each write's base body with each clean sample passes its input model, so the refusals below
    are the control character's doing (ids that name no row are the services' business, later)."""
    models = input_models()
    for model, field, _ in control_cases():
        write = WRITES[model]
        models[model].model_validate(write.body(field, write.samples[field]))


def test_control_characters_in_every_rest_write_are_400(server: Server, dana: Tenant) -> None:
    before = table_counts(server)
    seen = 0
    for model, field, is_list in control_cases():
        write = WRITES[model]
        for ch in CONTROL:
            if ch == "\n" and field == "description":
                continue  # allowed there (see the multi-line test)
            body = write.body(field, tainted(write.samples[field], ch, is_list))
            r = dana.api.request(write.method, write.path, json=body)
            err = assert_refusal(r, 400, "ValidationException", field=write.rest_name(field))
            assert "control character" in err["message"], (model, field, repr(ch), err)
            seen += 1
    assert seen > 100
    assert table_counts(server) == before


def test_control_characters_in_every_graphql_write_are_400(server: Server, dana: Tenant) -> None:
    before = table_counts(server)
    for model, field, is_list in control_cases():
        write = WRITES[model]
        for ch in ("\x00", "\x1b", "\x85"):
            body = write.body(field, tainted(write.samples[field], ch, is_list))
            err = gql_error(dana.api, write.mutation, graphql_variables(write, body))
            ext = err["extensions"]
            assert (ext["code"], ext["status"], ext.get("field")) == ("ValidationException", 400, camel(field)), \
                (model, field, repr(ch), err)
            assert "control character" in err["message"], err
    assert table_counts(server) == before


def test_descriptions_keep_tabs_and_line_breaks_but_not_other_controls(server: Server, dana: Tenant) -> None:
    text = "line one\n\tline two\r\nend"
    for path in ("/api/v1/teams", "/api/v1/ssh-key-groups"):
        r = dana.api.post(path, json={"name": f"multi {path[-5:]}", "description": text})
        assert r.status_code == 201, r.text
        assert r.json()["description"] == text
        assert_refusal(dana.api.post(path, json={"name": "nul desc", "description": "a\x00b"}), 400,
                       "ValidationException", field="description")
    # Anywhere else a line break inside the text is refused (surrounding white space is stripped).
    assert_refusal(dana.api.post("/api/v1/teams", json={"name": "two\nlines"}), 400, "ValidationException",
                   field="name")
    assert dana.api.post("/api/v1/teams", json={"name": "  trimmed\n"}).json()["name"] == "trimmed"


def test_unicode_text_is_stored_as_sent(server: Server, dana: Tenant) -> None:
    name = "\u00e9quipe \u6f22\u5b57 \U0001f680"
    r = dana.api.post("/api/v1/teams", json={"name": name, "description": "\u2028 is not a control"})
    assert r.status_code == 201, r.text
    got = dana.api.get(f"/api/v1/teams/{r.json()['id']}")
    assert got.status_code == 200 and got.json()["name"] == name, got.text


# -- ids in paths ------------------------------------------------------------------------------------

def test_odd_ids_in_paths_are_404_never_500(server: Server, dana: Tenant) -> None:
    before = table_counts(server)
    routes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/instances/{}", {}), ("DELETE", "/api/v1/instances/{}", {}),
        ("POST", "/api/v1/instances/{}/stop", {}), ("GET", "/api/v1/teams/{}", {}),
        ("GET", "/api/v1/teams/{}/members", {}), ("DELETE", "/api/v1/api-keys/{}", {}),
        ("DELETE", "/api/v1/ssh-keys/{}", {}), ("GET", "/api/v1/ssh-key-groups/{}", {}),
        ("POST", "/api/v1/ssh-key-groups/{}/keys", {"json": {"ssh_key_id": "key-aaaaaaaaaaaa"}}),
        ("GET", "/api/v1/vm-templates/{}", {}), ("GET", "/api/v1/vms/{}", {}), ("DELETE", "/api/v1/vms/{}", {}),
        ("POST", "/api/v1/vms/{}/start", {}), ("GET", "/api/v1/vms/{}/networks", {}),
        ("POST", "/api/v1/vms/{}/networks", {"json": {"name": "odd-net"}}),
        ("DELETE", "/api/v1/vms/vm-aaaaaaaaaaaa/networks/{}", {}), ("GET", "/api/v1/vm-networks/{}", {}),
        ("DELETE", "/api/v1/vm-networks/{}", {}), ("GET", "/api/v1/vm-networks/{}/subnets", {}),
        ("POST", "/api/v1/vm-networks/{}/subnets", {"json": {"name": "odd-sub", "cidr": "10.8.0.0/24"}}),
        ("DELETE", "/api/v1/vm-networks/net-aaaaaaaaaaaa/firewall-rules/{}", {}),
        ("GET", "/api/v1/vm-disks/{}", {}), ("POST", "/api/v1/vm-disks/{}/detach", {}),
        ("POST", "/api/v1/vm-disks/{}/attach", {"json": {"vm_id": "vm-aaaaaaaaaaaa"}}),
        ("GET", "/api/v1/clusters/{}", {}), ("DELETE", "/api/v1/clusters/{}", {}),
        ("GET", "/api/v1/clusters/{}/kubeconfig", {}), ("GET", "/api/v1/slurm-environments/{}", {}),
        ("DELETE", "/api/v1/slurm-environments/{}", {}), ("GET", "/api/v1/functions/{}", {}),
        ("PATCH", "/api/v1/functions/{}", {"json": {"name": "odd-fn"}}), ("GET", "/api/v1/functions/{}/runs", {}),
        ("POST", "/api/v1/functions/{}/run", {"json": {}}),
        ("GET", "/api/v1/functions/fn-aaaaaaaaaaaa/runs/{}", {}),
    ]
    for method, template, kwargs in routes:
        for odd in odd_ids():
            r = dana.api.request(method, template.format(odd), **kwargs)
            assert r.status_code in (400, 404), f"{method} {r.request.url}: {r.status_code} {r.text[:300]}"
            assert_refusal(r, r.status_code, "ResourceNotFoundException" if r.status_code == 404
                           else "ValidationException")
    for query in ("instance", "vmTemplate", "vm", "vmNetwork", "vmDisk", "cluster", "clusterKubeconfig",
                  "slurmEnvironment", "function", "functionRun"):
        selection = "token" if query == "clusterKubeconfig" else "id"
        for odd in ("\x00", "inst-\x00", "vm-\x00", "\U0001f4a5", "x" * 5000):
            err = gql_error(dana.api, f"query($id: ID!) {{ {query}(id: $id) {{ {selection} }} }}", {"id": odd})
            assert err["extensions"]["code"] == "ResourceNotFoundException", (query, odd, err)
    assert table_counts(server) == before
