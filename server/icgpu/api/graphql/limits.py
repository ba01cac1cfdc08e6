"""Query cost: a validation rule that refuses a query whose estimated work is too large.

Each field costs 1; a paginated list multiplies its children by its ``maxResults`` (default 50),
so ``instances(maxResults: 100) { items { owner { id } } }`` costs ~200 while nested pages of
pages grow multiplicatively and are stopped before any resolver runs.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
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
