"""Requests refused before execution get their real HTTP status, headers and the shared error body,
on REST and /graphql alike: 413 (up front and while reading, before authentication), 415, GraphQL
401/429, 405 with every allowed method, WebSocket close codes, and a 500 that still carries the
request id and rate-limit headers, logged once."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.exceptions import ConnectionClosed

from icgpu.api.limits import MAX_BODY_BYTES
from icgpu.api.middleware import RequestIdMiddleware
from icgpu.app import create_app
from icgpu.errors import Throttled
from icgpu.services.ratelimit import Quota
from icgpu.settings import Settings
from tests.support.graphql import gql_post, wait_status
from tests.support.hygiene import (
    JSON,
    SSH,
    WRITES,
    assert_refusal,
    chunked_until_answered,
    declared_only,
    table_counts,
)
from tests.support.server import Server
from tests.support.tenants import Tenant, open_tenant

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"


@pytest.fixture(scope="module")
def erin(server: Server) -> Iterator[Tenant]:
    with open_tenant(server, "refusals-co", "erin@example.com") as tenant:
        yield tenant


def raw_error(raw: Any, status: int, *, graphql: bool = False) -> dict[str, Any]:
    assert raw.status == status, (raw.status, raw.body[:300])
    assert raw.headers["content-type"].startswith("application/json"), raw.headers
    data = json.loads(raw.body)
    assert set(data) == ({"error", "errors"} if graphql else {"error"}), data
    err: dict[str, Any] = data["error"]
    assert err["request_id"] and err["request_id"] == raw.headers.get("x-request-id"), (err, raw.headers)
    return err


# -- 413 ------------------------------------------------------------------------------------------

SIZED_ROUTES = (("POST", "/api/v1/instances"), ("POST", "/graphql"), ("POST", "/api/v1/instances/inst-x/stop"),
                ("PATCH", "/api/v1/teams/team-x/members/tmem-x"), ("GET", "/api/v1/gpu-tiers"))


@pytest.mark.parametrize("credential", ["none", "bad", "good"])
def test_413_from_content_length_up_front_before_authentication(server: Server, erin: Tenant,
                                                                 credential: str) -> None:
    auth = {"none": {}, "bad": {"Authorization": "Bearer nope"},
            "good": {"Authorization": f"Bearer {erin.api_key}"}}[credential]
    before = table_counts(server)
    for method, path in SIZED_ROUTES:
        # Only the head is sent: an answer at all proves the body was never awaited.
        raw = declared_only(server, method, path, 200 << 20, headers={**auth, "X-Request-Id": "big-1"})
        err = raw_error(raw, 413, graphql=path == "/graphql")
        assert (err["type"], err["code"], err.get("field")) == ("ValidationException", "BodyTooLarge", "body")
        assert raw.headers["x-request-id"] == "big-1"
    assert table_counts(server) == before


UPLOAD = 64 << 20


def test_413_while_reading_a_chunked_body(server: Server, erin: Tenant) -> None:
    before = table_counts(server)
    for path, auth in (("/api/v1/instances", {}), ("/graphql", {}),
                       ("/api/v1/teams", {"Authorization": f"Bearer {erin.api_key}"})):
        raw, sent = chunked_until_answered(server, "POST", path, headers=auth, max_bytes=UPLOAD)
        err = raw_error(raw, 413, graphql=path == "/graphql")
        assert err["code"] == "BodyTooLarge", err
        # Refused once the limit passed, not after the whole upload: the server stopped reading, so
        # the client could push no more than the limit plus what the sockets' buffers hold (a few
        # MiB on loopback, however slow or busy the machine), far from the 64 MiB it offered.
        assert MAX_BODY_BYTES < sent < UPLOAD // 2, sent
    assert table_counts(server) == before


def test_the_limit_is_exactly_one_mib(server: Server, erin: Tenant) -> None:
    doc = json.dumps({"name": "at the limit"}).encode()
    at_limit = b" " * (MAX_BODY_BYTES - len(doc)) + doc
    r = erin.api.post("/api/v1/teams", content=at_limit, headers=JSON)
    assert r.status_code == 201, r.text
    before = table_counts(server)
    over = b" " + at_limit.replace(b"at the limit", b"over a limit")
    assert_refusal(erin.api.post("/api/v1/teams", content=over, headers=JSON), 413, "ValidationException",
                   code="BodyTooLarge")

    # A chunked body (no Content-Length) under the limit is read as usual; over it, refused.
    def chunks(body: bytes) -> Iterator[bytes]:
        for i in range(0, len(body), 65536):
            yield body[i:i + 65536]

    assert_refusal(erin.api.post("/api/v1/teams", content=chunks(over), headers=JSON), 413,
                   "ValidationException", code="BodyTooLarge")
    assert table_counts(server) == before
    r = erin.api.post("/api/v1/teams", content=chunks(json.dumps({"name": "chunked"}).encode()), headers=JSON)
    assert r.status_code == 201, r.text


# -- 415 ------------------------------------------------------------------------------------------

NOT_JSON = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/json; charset=latin-1", "application/jsonx", "text/json", None)


def test_415_for_a_body_without_a_json_content_type_on_every_json_route(server: Server, erin: Tenant) -> None:
    before = table_counts(server)
    for write in WRITES.values():
        body = json.dumps(write.body(*next(iter(write.samples.items())))).encode()
        for content_type in NOT_JSON:
            headers = {"Content-Type": content_type} if content_type else {}
            r = erin.api.request(write.method, write.path, content=body, headers=headers)
            assert_refusal(r, 415, "ValidationException", code="UnsupportedMediaType", field="Content-Type")
    for content_type in NOT_JSON:
        headers = {"Content-Type": content_type} if content_type else {}
        r = erin.api.post("/graphql", content=b'{"query": "{ gpuTiers { id } }"}', headers=headers)
        assert_refusal(r, 415, "ValidationException", code="UnsupportedMediaType", graphql=True)
    assert table_counts(server) == before
    # JSON media types, with or without a UTF-8 charset, are read.
    for content_type in ("application/json; charset=utf-8", "application/json;charset=UTF-8",
                         "application/vnd.icgpu+json"):
        r = erin.api.post("/api/v1/teams", content=json.dumps({"name": f"ct {content_type[-5:]}"}),
                          headers={"Content-Type": content_type})
        assert r.status_code == 201, (content_type, r.text)


def test_routes_without_a_body_need_no_content_type(server: Server, erin: Tenant) -> None:
    made = erin.api.post("/api/v1/instances", json={"name": "no-body", "tier": "mig", "ssh_key": SSH})
    assert made.status_code == 201, made.text
    inst = made.json()["id"]
    for content_type in ("text/plain", "application/octet-stream", None):
        headers = {"Content-Type": content_type} if content_type else {}
        r = erin.api.post(f"/api/v1/instances/{inst}/stop", content=b"ignored \x00 bytes", headers=headers)
        assert r.status_code in (200, 409), r.text  # the state machine answers, not the body check
        assert r.json().get("error", {}).get("code") != "UnsupportedMediaType", r.text
    r = erin.api.request("DELETE", f"/api/v1/instances/{inst}", content=b"junk", headers={"Content-Type": "text/plain"})
    assert r.status_code == 200, r.text
    wait_status(erin.api, inst, "terminated")  # settled: no event is written after this test
    r = erin.api.request("DELETE", "/api/v1/api-keys/ak-aaaaaaaaaaaa", content=b"junk",
                         headers={"Content-Type": "text/plain"})
    assert_refusal(r, 404, "ResourceNotFoundException")


# -- GraphQL: 401 and 429 with their real status -------------------------------------------------------

def test_graphql_with_a_bad_credential_is_http_401(server: Server) -> None:
    before = table_counts(server)
    for auth, code in (("Bearer nope", None), ("Bearer sk-ic-" + "A" * 43, None), ("Basic dXNlcjpwdw==",
                       "MissingCredentials"), ("Bearer", "MissingCredentials")):
        with server.client(Authorization=auth) as c:
            r = c.post("/graphql", json={"query": 'mutation { createTeam(input: {name: "x"}) { __typename } }'})
            assert_refusal(r, 401, "AuthenticationError", code=code, graphql=True)
    assert table_counts(server) == before
    # Without an Authorization header the request executes: public fields answer, others error inside.
    with server.client() as anon:
        body = gql_post(anon, "{ gpuTiers { id } }")
        assert body["data"]["gpuTiers"] and not body.get("errors"), body
        body = gql_post(anon, "{ apiKeys { items { id } } }")
        assert [e["extensions"]["code"] for e in body["errors"]] == ["AuthenticationError"], body


def test_graphql_over_the_rate_limit_is_http_429_with_retry_after(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_RATE_LIMIT_API="5", ICGPU_RATE_LIMIT_WINDOW_SECONDS="120")
    with open_tenant(srv, "throttled-co", "tom@example.com") as tom:
        statuses = []
        for _ in range(10):  # bounded: the limit is 5
            r = tom.api.post("/graphql", json={"query": "{ viewer { __typename } }"})
            statuses.append(r.status_code)
            if r.status_code == 429:
                break
        assert statuses[:5] == [200] * 5 and statuses[-1] == 429, statuses
        assert_refusal(r, 429, "ThrottlingException", graphql=True)
        assert 1 <= int(r.headers["retry-after"]) <= 120, r.headers
        assert (r.headers["x-ratelimit-limit"], r.headers["x-ratelimit-remaining"]) == ("5", "0"), r.headers
        assert 1 <= int(r.headers["x-ratelimit-reset"]) <= 120
        # A mutation refused this way wrote nothing; REST agrees; an anonymous request still runs.
        before = table_counts(srv)
        r = tom.api.post("/graphql", json={"query": 'mutation { createTeam(input: {name: "late"}) { __typename } }'})
        assert_refusal(r, 429, "ThrottlingException", graphql=True)
        assert_refusal(tom.api.get("/api/v1/teams"), 429, "ThrottlingException")
        assert table_counts(srv) == before
        with srv.client() as anon:
            assert gql_post(anon, "{ gpuTiers { id } }")["data"]["gpuTiers"]


# -- 405 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "expected"), [
    ("/api/v1/instances", {"GET", "POST"}),
    ("/api/v1/instances/inst-aaaaaaaaaaaa", {"GET", "DELETE"}),
    ("/api/v1/teams/team-aaaaaaaaaaaa/members/tmem-aaaaaaaaaaaa", {"PATCH", "DELETE"}),
    ("/api/v1/teams", {"GET", "POST"}),
    ("/graphql", {"GET", "POST"}),
])
def test_405_allow_lists_every_method_of_the_path(server: Server, erin: Tenant, path: str,
                                                  expected: set[str]) -> None:
    r = erin.api.put(path, json={})
    err = assert_refusal(r, 405, "ValidationException", code="MethodNotAllowed", graphql=path == "/graphql")
    allow = {m.strip() for m in r.headers["allow"].split(",")}
    assert expected <= allow and "PUT" not in allow, (allow, err)
    for method in allow - {"HEAD", "OPTIONS"}:  # each one named is really served there
        assert erin.api.request(method, path).status_code != 405, method


# -- WebSocket authentication --------------------------------------------------------------------------

async def ws_init(server: Server, payload: Any) -> tuple[int | None, str, dict[str, Any] | None]:
    """Open a graphql-transport-ws socket, send connection_init; (close code, reason, first message)."""
    async with websockets.connect(server.ws_url, subprotocols=[GRAPHQL_TRANSPORT_WS],  # type: ignore[list-item]
                                  open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, closed
            return closed.rcvd.code, closed.rcvd.reason, None
        return None, "", message


async def test_websocket_close_codes_say_missing_or_invalid_credentials(server: Server, erin: Tenant) -> None:
    missing: list[dict[str, Any]] = [{}, {"Authorization": ""}, {"Authorization": "Basic abc"}, {"headers": {}}]
    for payload in missing:
        code, reason, _ = await ws_init(server, payload)
        assert (code, reason) == (4401, "AuthenticationError: MissingCredentials"), payload
    for payload in ({"Authorization": "Bearer nope"}, {"Authorization": "Bearer sk-ic-" + "B" * 43},
                    {"authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}):
        code, reason, _ = await ws_init(server, payload)
        assert code == 4403 and reason.startswith("AuthenticationError: "), (payload, code, reason)
    for credential in (erin.api_key, erin.token):
        code, _, message = await ws_init(server, {"Authorization": f"Bearer {credential}"})
        assert code is None and message == {"type": "connection_ack"}, (code, message)


# -- 500: the last word on unhandled errors -------------------------------------------------------------

def _tiny_app() -> Starlette:
    async def boom(request: Request) -> JSONResponse:
        request.state.rate_quota = Quota(10, 7, 42)
        raise RuntimeError("secret internals")

    async def throttled(request: Request) -> JSONResponse:
        raise Throttled("slow down", headers={"Retry-After": "3"})

    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"size": len(await request.body())})

    # Installed as the app installs it: inside Starlette's own ServerErrorMiddleware.
    return Starlette(routes=[Route("/boom", boom), Route("/graphql", boom, methods=["POST"]),
                             Route("/throttled", throttled), Route("/echo", echo, methods=["POST"])],
                     middleware=[Middleware(RequestIdMiddleware)])


async def test_an_unhandled_error_is_a_500_with_request_id_and_rate_headers_logged_once(
        caplog: pytest.LogCaptureFixture) -> None:
    transport = httpx.ASGITransport(app=_tiny_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        with caplog.at_level(logging.ERROR):
            r = await c.get("/boom", headers={"X-Request-Id": "trace-123"})
        err = assert_refusal(r, 500, "InternalServiceException")
        assert err["request_id"] == "trace-123" and "secret" not in r.text
        assert (r.headers["x-ratelimit-limit"], r.headers["x-ratelimit-remaining"]) == ("10", "7")
        logged = [rec for rec in caplog.records if rec.exc_info and "trace-123" in rec.getMessage()]
        assert len(logged) == 1 and len([rec for rec in caplog.records if rec.exc_info]) == 1, caplog.records

        r = await c.post("/graphql", headers={"X-Request-Id": "bad id\x01"})
        err = assert_refusal(r, 500, "InternalServiceException", graphql=True)
        assert err["request_id"].startswith("req-")

        caplog.clear()
        r = await c.get("/throttled")
        assert_refusal(r, 429, "ThrottlingException")
        assert r.headers["retry-after"] == "3" and not [rec for rec in caplog.records if rec.exc_info]

        assert_refusal(await c.post("/echo", content=b"x" * (MAX_BODY_BYTES + 1)), 413, "ValidationException",
                       code="BodyTooLarge")
        r = await c.post("/echo", content=b"x" * MAX_BODY_BYTES)
        assert r.status_code == 200 and r.json() == {"size": MAX_BODY_BYTES}


async def test_the_real_app_answers_an_unhandled_error_the_same_way(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """The application as served, with one route added that fails: a masked 500 in the shared body,
    X-Request-Id echoed, the stack trace logged once with the request id and never re-raised."""
    app = create_app(Settings(data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"))

    async def fails() -> None:
        raise KeyError("internal detail")

    app.add_api_route("/api/v1/fails-for-test", fails)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        with caplog.at_level(logging.ERROR):
            r = await c.get("/api/v1/fails-for-test", headers={"X-Request-Id": "real-500"})
    err = assert_refusal(r, 500, "InternalServiceException")
    assert err["request_id"] == "real-500" and "internal detail" not in r.text
    traced = [rec for rec in caplog.records if rec.exc_info]
    assert len(traced) == 1 and "real-500" in traced[0].getMessage(), caplog.records
