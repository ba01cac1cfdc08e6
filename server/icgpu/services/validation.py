"""Turning pydantic's complaints into one ValidationException that names the field, and the text
hygiene every stored string gets (``Input``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import pydantic
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from icgpu.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)

MULTILINE = frozenset("\t\n\r")  # allowed in multi-line fields (``Input.multiline_fields``) only


def first_error(exc: pydantic.ValidationError | Any) -> ValidationError:
    errors = exc.errors()
    err = errors[0] if errors else {"loc": (), "msg": "invalid input"}
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    # A model-level rule (between fields) names its field in the error's context: model_error().
    ctx: Any = err.get("ctx") or {}
    field = ".".join(loc) or ctx.get("field") or None
    msg = str(err.get("msg", "invalid input"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return ValidationError(f"{field}: {msg}{more}" if field else msg + more, field=field)


def documented(camel: str, snake: str, **kwargs: Any) -> Any:
    """A field the body may name as documented (camelCase) or in snake_case."""
    return Field(validation_alias=AliasChoices(camel, snake), **kwargs)


def one_spelling(aliases: dict[str, str]) -> Callable[[Any], Any]:
    """A before-validator refusing a body that names a field both ways (``{camel: snake}``)."""

    def check(data: Any) -> Any:
        if isinstance(data, dict):
            for camel, snake in aliases.items():
                if camel in data and snake in data:
                    raise ValueError(f"give {camel} or {snake}, not both")
        return data

    return check


def model_error(field: str, message: str) -> PydanticCustomError:
    """The error a model validator raises for a rule between fields, naming the field to blame."""
    return PydanticCustomError("model_rule", message, {"field": field})


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise first_error(exc) from None


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character stored text may not hold, described, or None. Refused: control
    characters (C0, DEL, C1: NUL among them, which PostgreSQL cannot store), lone surrogates and
    the non-characters U+FFFE/U+FFFF; tab, line feed and carriage return only in multi-line text."""
    if text.isascii() and text.isprintable():
        return None
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cc" and not (multiline and ch in MULTILINE)) \
                or category == "Cs" or ch in "\ufffe\uffff":
            return f"U+{ord(ch):04X}"
    return None


class Input(BaseModel):
    """Base of every service input model (REST bodies and GraphQL inputs alike): unknown fields are
    refused, surrounding white space is stripped, and every string (alone or in a list) refuses
    control characters with a 400 naming the field. Fields named in ``multiline_fields`` (free
    text such as ``description``) may hold tabs and line breaks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    multiline_fields: ClassVar[frozenset[str]] = frozenset({"description"})

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        multiline = info.field_name in cls.multiline_fields
        texts = [value] if isinstance(value, str) else \
            [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple | set | frozenset) else []
        for text in texts:
            bad = refused_character(text, multiline=multiline)
            if bad is not None:
                raise ValueError(f"must not contain control characters (found {bad})")
        return value


# The name rule of every named resource (instances, VMs, networks, disks, clusters, Slurm
# environments, functions): a DNS label.
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def resource_name(v: str) -> str:
    """``v`` if it is a valid resource name (for a field validator), else a ValueError saying the rule."""
    if not NAME_RE.match(v):
        raise ValueError("must be 1-63 lowercase letters, digits or hyphens, starting and ending "
                         "with a letter or digit")
    return v
