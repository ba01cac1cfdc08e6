"""Turning GraphQL inputs into the services' input models, with camelCase field names in errors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from icgpu.errors import ValidationError
from icgpu.services.validation import parse

M = TypeVar("M", bound=BaseModel)


def camel(field: str | None) -> str | None:
    if field is None:
        return None
    head, *rest = field.split("_")
    return head + "".join(p.title() for p in rest)


def parse_input(model: type[M], data: dict[str, Any]) -> M:
    """``data`` uses the model's snake_case names; errors name the GraphQL (camelCase) field."""
    try:
        return parse(model, data)
    except ValidationError as err:
        if err.field:
            graphql_name = camel(err.field)
            err.message = err.message.replace(f"{err.field}:", f"{graphql_name}:", 1)
            err.field = graphql_name
        raise
