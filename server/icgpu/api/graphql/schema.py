"""The GraphQL schema: per-domain query/mutation/subscription mixins merged into one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from icgpu.api.graphql.errors import ApiErrors
from icgpu.api.graphql.events import EventSubscriptions
from icgpu.api.graphql.execution import Executor
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


class _ParserCache(ParserCache):
    """Parsed documents, cached under the query text and the parse options, which hold the token
    limit: a query over the limit fails to parse, and failures are not cached. A query that fails
    is left to strawberry's own parse step, which reports the error as it reports every other one
    (an error raised here would escape that handling)."""

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        with contextlib.suppress(GraphQLError):
            ec.graphql_document = self.cached_parse_document(ec.query, **ec.parse_options)
        yield


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    # The limits are validation rules, built once here: the validation cache is keyed by the rule
    # classes, and QueryDepthLimiter / MaxAliasesLimiter make a new class per instance, so used as
    # per-operation extensions they would make every request miss the cache.
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=30).validation_rules,
        cost_rule(settings.graphql_max_cost),
        introspection_depth_rule(settings.graphql_max_depth),
    ]
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=Executor if settings.fast_paths else None,
        extensions=[
            IdempotentMutations,  # outermost: stores a mutation's response as the client sees it
            ApiErrors,  # so it sees the errors of every later step (parse, limits, execution)
            # Factories, not instances: each operation gets its own extension objects.
            partial(MaxTokensLimiter, max_token_count=4000),
            partial(_ParserCache, maxsize=256),
            partial(AddValidationRules, rules),
            # Validated documents are cached too: a cached document has passed every limit above.
            partial(ValidationCache, maxsize=256),
        ],
    )


def export_sdl() -> str:
    return strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription).as_str() + "\n"
