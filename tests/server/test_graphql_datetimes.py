"""GraphQL results may hold datetimes for the encoder to write (api/graphql/execution.py): whatever
path a result takes (orjson, the stdlib fallback for non-ASCII text, the idempotency extension's
stored copy), each datetime comes out as the text strawberry's ``isoformat`` gives."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from graphql import GraphQLScalarType

from icgpu.api.encoding import dumps_ascii, dumps_graphql
from icgpu.api.graphql.execution import _compiled, _finisher
from icgpu.api.graphql.schema import build_schema
from icgpu.settings import Settings

pytestmark = pytest.mark.db_independent

VALUES = [
    datetime(2026, 11, 28, 5, 35, 36, 123456, tzinfo=UTC),
    datetime(2026, 11, 28, 5, 35, 36, tzinfo=UTC),
    datetime(2026, 11, 28, 5, 35, 36),  # no offset
    datetime(2026, 11, 28, 5, 35, 36, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 11, 28, 5, 35, 36, tzinfo=timezone(timedelta(seconds=-3725))),  # orjson drops the 5 s
    date(2026, 11, 28),
]


@pytest.fixture(scope="module")
def date_time() -> GraphQLScalarType:
    scalar = build_schema(Settings())._schema.type_map["DateTime"]
    assert isinstance(scalar, GraphQLScalarType)
    return scalar


def reference(values: list[Any]) -> str:
    return json.dumps([v.isoformat() for v in values], separators=(",", ":"))


def test_the_finisher_leaves_only_what_the_encoder_writes_exactly(date_time: GraphQLScalarType) -> None:
    finish = _finisher(date_time, True)
    out = [finish(v) for v in VALUES]
    assert out[:3] == VALUES[:3] and all(type(v) is datetime for v in out[:3])  # left for the encoder
    assert out[3:] == [v.isoformat() for v in VALUES[3:]]  # formatted here
    assert dumps_ascii(out).decode() == reference(VALUES)


def test_a_compiled_plan_does_the_same(date_time: GraphQLScalarType) -> None:
    plan = _compiled(("real", "imag"), [("a", date_time, _finisher(date_time, True)),
                                         ("b", None, lambda _: "Instance")])

    class Source:
        def __init__(self, value: Any) -> None:
            self.real, self.imag = value, None

    out = [plan(Source(v))["a"] for v in VALUES]
    assert type(out[0]) is datetime and type(out[4]) is str
    assert dumps_ascii(out).decode() == reference(VALUES)


def test_every_encoding_path_writes_iso_text() -> None:
    body = {"data": {"name": "café", "at": VALUES}}  # non-ASCII: dumps_ascii falls back to the stdlib
    expected = json.dumps({"data": {"name": "café", "at": [v.isoformat() for v in VALUES]}},
                          separators=(",", ":"))
    assert dumps_ascii(body).decode() == expected
    assert dumps_graphql(body) == expected
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_graphql({"x": object()})
