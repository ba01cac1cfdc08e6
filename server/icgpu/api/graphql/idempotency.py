"""Idempotency-Key on GraphQL mutations over HTTP, with the REST semantics.

The first response (data and errors, as the client saw them) is stored per account and replayed
for the same key; the same key with another document, operation or variables is a 409; a server
error releases the key. Fields that carry a secret shown once (``key``, ``privateKey``) are
stored as null, under whatever alias the document gave them. A dry run (every top-level field called
with ``dryRun: true``) is not recorded, so the real call may reuse the key.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import (
    BooleanValueNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from icgpu.api.encoding import dumps_graphql
from icgpu.api.graphql.errors import api_errors
from icgpu.errors import ApiError
from icgpu.services.idempotency import Replay, canonical_json, fingerprint

HEADER = "Idempotency-Key"
SECRET_FIELDS = frozenset({"key", "privateKey"})


class IdempotentMutations(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        """The only hook (one per operation is cheaper than two): the claim is taken before the
        mutation runs and completed with its result, errors as ``ApiErrors`` gives them to the
        client, when it has run."""
        ec = self.execution_context
        request = getattr(ec.context, "request", None)
        key = request.headers.get(HEADER) if isinstance(request, Request) else None
        if key is None or ec.operation_type is not OperationType.MUTATION or _dry_run_only(ec):
            # A dry run is not recorded: the real call may use the same key afterwards.
            yield
            return
        fp = fingerprint(b"graphql", (ec.query or "").encode(), (ec.operation_name or "").encode(),
                         canonical_json(ec.variables or {}))
        if ec.context.response is not None:
            ec.context.response.headers[HEADER] = key
        try:
            principal = await ec.context.principal()
            outcome = await ec.context.platform.idempotency.begin(principal.account_id, key, fp)
        except ApiError as err:  # reported like any resolver's error, by the ApiErrors extension
            ec.result = ExecutionResult(data=None, errors=[GraphQLError(err.message, original_error=err)])
            yield
            return
        if isinstance(outcome, Replay):
            stored = json.loads(outcome.body)
            errors = [GraphQLError(e["message"], path=e.get("path"), extensions=e.get("extensions"))
                      for e in stored.get("errors") or []]
            ec.result = ExecutionResult(data=stored.get("data"), errors=errors or None)
            ec.context.response.headers["Idempotent-Replayed"] = "true"
            yield
            return
        yield
        idem = ec.context.platform.idempotency
        result = ec.result
        # As the client will see them (ApiErrors masks them when the operation ends; not logged here).
        errors = api_errors(list(getattr(result, "errors", None) or []), log_unexpected=False)
        if any((e.extensions or {}).get("status", 400) >= 500 for e in errors):
            await idem.release(outcome)
            return
        secret_names = _response_names(ec.graphql_document, ec)
        body = {"data": _redact(getattr(result, "data", None), secret_names),
                "errors": [e.formatted for e in errors] or None}
        await idem.complete(outcome, 200, dumps_graphql(body))


def _dry_run_only(ec: Any) -> bool:
    """Whether every top-level field of the mutation is called with ``dryRun: true``."""
    document = ec.graphql_document
    if document is None:
        return False
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    op = next((o for o in ops if ec.operation_name is None or (o.name and o.name.value == ec.operation_name)), None)
    if op is None:
        return False
    variables = dict(ec.variables or {})
    for definition in op.variable_definitions or ():
        name = definition.variable.name.value
        if name not in variables and isinstance(definition.default_value, BooleanValueNode):
            variables[name] = definition.default_value.value
    fragments = _fragments(document)

    def dry(field: FieldNode) -> bool:
        if field.name.value == "__typename":
            return True
        arg = next((a for a in field.arguments or () if a.name.value == "dryRun"), None)
        if arg is None:
            return False
        if isinstance(arg.value, BooleanValueNode):
            return arg.value.value
        if isinstance(arg.value, VariableNode):
            return variables.get(arg.value.name.value) is True
        return False

    selected = list(_fields(op.selection_set, fragments))
    return any(f.name.value != "__typename" for f in selected) and all(dry(f) for f in selected)


def _fragments(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _fields(sel: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode],
            seen: frozenset[str] = frozenset()) -> Iterator[FieldNode]:
    """The fields of one selection set, through inline fragments and fragment spreads."""
    for node in sel.selections if sel else ():
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments and node.name.value not in seen:
            yield from _fields(fragments[node.name.value].selection_set, fragments, seen | {node.name.value})


def _response_names(document: Any, ec: Any) -> frozenset[str]:
    """The response keys (alias or name) under which the document selects a secret field."""
    if document is None:
        return SECRET_FIELDS
    fragments = _fragments(document)
    names: set[str] = set()

    def walk(sel: SelectionSetNode | None) -> None:
        for field in _fields(sel, fragments):
            if field.name.value in SECRET_FIELDS:
                names.add(field.alias.value if field.alias else field.name.value)
            walk(field.selection_set)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk(definition.selection_set)
    return frozenset(names)


def _redact(value: Any, names: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in names else _redact(v, names)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, names) for v in value]
    return value
