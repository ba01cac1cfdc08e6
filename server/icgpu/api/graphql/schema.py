"""The GraphQL schema: per-domain query/mutation/subscription mixins merged into one."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from icgpu.api.graphql.errors import ApiErrors
from icgpu.api.graphql.events import EventSubscriptions
from icgpu.api.graphql.idempotency import IdempotentMutations
from icgpu.api.graphql.identity import IdentityMutations, IdentityQueries
from icgpu.api.graphql.instances import InstanceMutations, InstanceQueries, InstanceSubscriptions
from icgpu.api.graphql.limits import cost_rule, introspection_depth_rule
from icgpu.settings import Settings

Query = merge_types("Query", (InstanceQueries, IdentityQueries))
Mutation = merge_types("Mutation", (InstanceMutations, IdentityMutations))
Subscription = merge_types("Subscription", (InstanceSubscriptions, EventSubscriptions))


class Schema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """Client errors are answers, not incidents: ApiErrors (the extension) logs only the
        unexpected ones, with their stack trace."""


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            IdempotentMutations,  # outermost: stores a mutation's response as the client sees it
            ApiErrors,  # so it sees the errors of every later step (parse, limits, execution)
            # Factories, not instances: each operation gets its own extension objects.
            partial(QueryDepthLimiter, max_depth=settings.graphql_max_depth),
            partial(MaxAliasesLimiter, max_alias_count=30),
            partial(MaxTokensLimiter, max_token_count=4000),
            partial(AddValidationRules, [cost_rule(settings.graphql_max_cost),
                                          introspection_depth_rule(settings.graphql_max_depth)]),
            # Validated documents are cached (the limits above are validation rules, so a cached
            # document has passed them). Parsing is not: a cached parse would skip the token limit.
            partial(ValidationCache, maxsize=256),
        ],
    )


def export_sdl() -> str:
    return strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription).as_str() + "\n"
