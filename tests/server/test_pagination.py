"""Cursor pagination on GET /api/v1/instances: maxResults + a signed, opaque nextToken."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.contracts import INSTANCES, Caller, act, assert_error, caller, member, new_instance
from tests.support.server import Server

MAX_PAGES = 20
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def page(api: httpx.Client, max_results: Any = None, token: str | None = None) -> httpx.Response:
    params: dict[str, Any] = {}
    if max_results is not None:
        params["maxResults"] = max_results
    if token is not None:
        params["nextToken"] = token
    return api.get(INSTANCES, params=params)


def walk(api: httpx.Client, max_results: int) -> list[list[str]]:
    """Every page's ids, following nextToken until it is null (bounded)."""
    pages: list[list[str]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        r = page(api, max_results, token)
        assert r.status_code == 200, r.text
        data = r.json()
        assert set(data) == {"instances", "nextToken"}
        pages.append([i["id"] for i in data["instances"]])
        token = data["nextToken"]
        if token is None:
            return pages
        assert isinstance(token, str) and token
    raise AssertionError(f"more than {MAX_PAGES} pages: {pages}")


def flip(token: str, at: int) -> str:
    """``token`` with the character at ``at`` replaced by a different base64url character."""
    c = token[at]
    repl = B64URL[(B64URL.index(c) + 1) % len(B64URL)] if c in B64URL else "A"
    return token[:at] + repl + token[at + 1:]


@pytest.fixture(scope="module")
def seven(server: Server) -> tuple[Caller, list[str]]:
    me = caller(server, "pages-" + uuid.uuid4().hex[:8])
    ids = [new_instance(me.api, f"paged-{i}", tier="timesliced", workload_type="batch")["id"] for i in range(7)]
    return me, ids


def test_pages_of_three_cover_every_instance_once_in_creation_order(seven: tuple[Caller, list[str]]) -> None:
    me, ids = seven
    pages = walk(me.api, 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    flat = [i for p in pages for i in p]
    assert flat == ids
    # Walking again gives the same pages: the order is stable.
    assert walk(me.api, 3) == pages
    # Other page sizes agree on the order.
    assert [i for p in walk(me.api, 1) for i in p] == ids
    assert walk(me.api, 7) == [ids]
    assert walk(me.api, 100) == [ids]
    # Without maxResults every one fits on the default page.
    r = page(me.api)
    assert r.status_code == 200 and r.json()["nextToken"] is None
    assert [i["id"] for i in r.json()["instances"]] == ids


def test_exact_multiple_has_no_empty_last_page(server: Server) -> None:
    me = caller(server, "pages-" + uuid.uuid4().hex[:8])
    ids = [new_instance(me.api, f"even-{i}", tier="timesliced", workload_type="batch")["id"] for i in range(4)]
    assert walk(me.api, 2) == [ids[:2], ids[2:]]
    assert walk(me.api, 4) == [ids]


def test_terminated_instances_are_skipped_between_pages(server: Server) -> None:
    me = caller(server, "pages-" + uuid.uuid4().hex[:8])
    ids = [new_instance(me.api, f"gone-{i}", tier="timesliced", workload_type="batch")["id"] for i in range(5)]
    first = page(me.api, 2)
    assert [i["id"] for i in first.json()["instances"]] == ids[:2]
    # The instance right after the cursor goes away; the token still resumes in the right place.
    assert act(me.api, ids[2], "delete").status_code == 200
    rest = page(me.api, 2, first.json()["nextToken"])
    assert rest.status_code == 200, rest.text
    assert [i["id"] for i in rest.json()["instances"]] == ids[3:5]
    assert rest.json()["nextToken"] is None


def test_tampered_token_is_rejected(seven: tuple[Caller, list[str]]) -> None:
    me, _ = seven
    token = page(me.api, 3).json()["nextToken"]
    assert token
    dot = token.index(".")
    positions = sorted({0, dot // 2, dot - 2, dot - 1, dot, dot + 1, len(token) // 2, len(token) - 2,
                        len(token) - 1})
    for at in positions:
        r = page(me.api, 3, flip(token, at))
        assert_error(r, 400, "ValidationException", field="nextToken")
    junks = ("garbage", "a.b", ".", token + "A", token[:-1], token.replace(".", ""), "%%%.%%%", "x" * 2048,
             "x" * 2049)
    for junk in junks:
        assert_error(page(me.api, 3, junk), 400, "ValidationException", field="nextToken")
    # The genuine token still works.
    assert page(me.api, 3, token).status_code == 200


def test_token_from_another_accounts_list_is_rejected(server: Server, seven: tuple[Caller, list[str]]) -> None:
    me, _ = seven
    token = page(me.api, 3).json()["nextToken"]
    teammate = member(server, me.tenant, "pager@example.com")
    stranger = caller(server, "pages-" + uuid.uuid4().hex[:8])
    for other in (teammate, stranger.api):
        new_instance(other, "own-instance", tier="timesliced", workload_type="batch")
        assert_error(page(other, 3, token), 400, "ValidationException", field="nextToken")
    teammate.close()


@pytest.mark.parametrize("value", [0, -1, 101, 1000, "abc", "1.5", ""])
def test_max_results_out_of_bounds_is_rejected(seven: tuple[Caller, list[str]], value: Any) -> None:
    me, _ = seven
    assert_error(page(me.api, value), 400, "ValidationException", field="maxResults")


def test_max_results_bounds_are_inclusive(seven: tuple[Caller, list[str]]) -> None:
    me, ids = seven
    one = page(me.api, 1)
    assert one.status_code == 200, one.text
    assert [i["id"] for i in one.json()["instances"]] == ids[:1] and one.json()["nextToken"]
    hundred = page(me.api, 100)
    assert hundred.status_code == 200, hundred.text
    assert len(hundred.json()["instances"]) == 7 and hundred.json()["nextToken"] is None


def test_listing_needs_credentials(server: Server) -> None:
    anon = server.client()
    assert_error(page(anon, 3), 401, "AuthenticationError")
    anon.close()
