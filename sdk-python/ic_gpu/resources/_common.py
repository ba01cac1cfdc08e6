"""Small helpers the resource classes share."""

from __future__ import annotations

from typing import Any


def given(**values: Any) -> dict[str, Any]:
    """Only the arguments the caller gave: the server applies its own defaults to the rest."""
    return {k: v for k, v in values.items() if v is not None}


def upper(value: Any) -> Any:
    """Enum arguments accept the enum member or its name in any case ("running", "RUNNING")."""
    return value.upper() if isinstance(value, str) else value
