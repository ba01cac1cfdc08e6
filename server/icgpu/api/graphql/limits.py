"""Validation rules that refuse a query before any resolver runs.

Query cost: each field costs 1; a paginated list multiplies its children by its ``maxResults``
(default 50), so ``instances(maxResults: 100) { items { owner { id } } }`` costs ~200 while nested
pages of pages grow multiplicatively.

Introspection depth: strawberry's QueryDepthLimiter skips ``__schema``/``__type`` subtrees, so
``__schema { types { fields { type { ofType { ofType ...`` could nest as deep as the parser allows.
They are held to the depth of the standard introspection query (what GraphiQL and code
generators send), or to the configured maximum depth when that is larger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_introspection_query,
    parse,
)

from icgpu.services.pagination import DEFAULT_PAGE

PAGE_ARG = "maxResults"


def cost_rule(max_cost: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            ctx: ValidationContext = self.context
            variables: dict[str, Any] = {}
            cost = _cost(node.selection_set, ctx, variables, depth=0)
            if cost > max_cost:
                self.report_error(GraphQLError(
                    f"query cost {cost} exceeds the limit of {max_cost}: request fewer items or fields",
                    node, extensions={"code": "ValidationException"}))

    return CostLimit


def _multiplier(field: FieldNode) -> int:
    for arg in field.arguments or ():
        if arg.name.value == PAGE_ARG:
            if isinstance(arg.value, IntValueNode):
                return max(1, int(arg.value.value))
            if isinstance(arg.value, VariableNode):
                return 100
    return DEFAULT_PAGE if field.name.value in _PAGED else 1


# Fields returning connections; their `items` are a page.
_PAGED = {"instances", "events"}


def _cost(sel: SelectionSetNode | None, ctx: ValidationContext, variables: dict[str, Any], depth: int) -> int:
    if sel is None or depth > 50:
        return 0
    total = 0
    for node in sel.selections:
        if isinstance(node, FieldNode):
            child = _cost(node.selection_set, ctx, variables, depth + 1)
            total += 1 + _multiplier(node) * child
        elif isinstance(node, InlineFragmentNode):
            total += _cost(node.selection_set, ctx, variables, depth + 1)
        elif isinstance(node, FragmentSpreadNode):
            frag = ctx.get_fragment(node.name.value)
            if frag is not None:
                total += _cost(frag.selection_set, ctx, variables, depth + 1)
    return total


# -- introspection depth -------------------------------------------------------------------------

_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
FragmentLookup = Callable[[str], FragmentDefinitionNode | None]


def introspection_depth_rule(max_depth: int) -> type[ValidationRule]:
    limit = max(max_depth, STANDARD_INTROSPECTION_DEPTH)

    class IntrospectionDepthLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            lookup = self.context.get_fragment
            for field in _root_fields(node.selection_set, lookup, frozenset()):
                if field.name.value in _INTROSPECTION_ROOTS and field.selection_set is not None \
                        and _deepest(field.selection_set, lookup, 1, limit, frozenset()) > limit:
                    self.report_error(GraphQLError(
                        f"introspection exceeds the maximum operation depth of {limit}", field,
                        extensions={"code": "ValidationException"}))
                    return

    return IntrospectionDepthLimit


def _root_fields(sel: SelectionSetNode, lookup: FragmentLookup, seen: frozenset[str]) -> Iterator[FieldNode]:
    for node in sel.selections:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _root_fields(node.selection_set, lookup, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            frag = lookup(node.name.value)
            if frag is not None:
                yield from _root_fields(frag.selection_set, lookup, seen | {node.name.value})


def _deepest(sel: SelectionSetNode, lookup: FragmentLookup, depth: int, limit: int, seen: frozenset[str]) -> int:
    """The depth of the deepest field in ``sel`` (whose own fields are at ``depth``; root fields are
    at 0, as in QueryDepthLimiter). Stops descending once past ``limit``."""
    deepest = depth
    for node in sel.selections:
        if deepest > limit:
            break
        if isinstance(node, FieldNode):
            if node.selection_set is not None:
                deepest = max(deepest, _deepest(node.selection_set, lookup, depth + 1, limit, seen))
        elif isinstance(node, InlineFragmentNode):
            deepest = max(deepest, _deepest(node.selection_set, lookup, depth, limit, seen))
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            frag = lookup(node.name.value)
            if frag is not None:
                deepest = max(deepest, _deepest(frag.selection_set, lookup, depth, limit, seen | {node.name.value}))
    return deepest


def _standard_introspection_depth() -> int:
    doc = parse(get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                        schema_description=True, input_value_deprecation=True, one_of=True))
    frags = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    op = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    return max(_deepest(f.selection_set, frags.get, 1, 1000, frozenset())
               for f in _root_fields(op.selection_set, frags.get, frozenset()) if f.selection_set is not None)


STANDARD_INTROSPECTION_DEPTH = _standard_introspection_depth()
