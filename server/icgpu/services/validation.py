"""Turning pydantic's complaints into one ValidationException that names the field."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict

from icgpu.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)


def first_error(exc: pydantic.ValidationError | Any) -> ValidationError:
    errors = exc.errors()
    err = errors[0] if errors else {"loc": (), "msg": "invalid input"}
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or None
    msg = str(err.get("msg", "invalid input"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return ValidationError(f"{field}: {msg}{more}" if field else msg + more, field=field)


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise first_error(exc) from None


class Input(BaseModel):
    """Base of every service input model (REST bodies and GraphQL inputs alike): unknown fields are
    refused and surrounding white space is stripped. Text hygiene for stored strings lives here."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
