"""The GraphQL schema: per-domain query/mutation/subscription mixins merged into one."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from icgpu.api.graphql.clusters import ClusterMutations, ClusterQueries
from icgpu.api.graphql.documents import documents
from icgpu.api.graphql.errors import ApiErrors
from icgpu.api.graphql.events import EventSubscriptions
from icgpu.api.graphql.execution import Executor
from icgpu.api.graphql.functions import FunctionMutations, FunctionQueries
from icgpu.api.graphql.idempotency import IdempotentMutations
from icgpu.api.graphql.identity import IdentityMutations, IdentityQueries
from icgpu.api.graphql.instances import InstanceMutations, InstanceQueries, InstanceSubscriptions
from icgpu.api.graphql.limits import cost_rule, introspection_depth_rule
from icgpu.api.graphql.models import ModelMutations, ModelQueries
from icgpu.api.graphql.quotas import QuotaQueries
from icgpu.api.graphql.slurm import SlurmMutations, SlurmQueries
from icgpu.api.graphql.spending_alerts import SpendingAlertMutations, SpendingAlertQueries  # issue 11: tokens
from icgpu.api.graphql.tokens import TokenMutations, TokenQueries  # issue 11: tokens
from icgpu.api.graphql.vm_disks import VmDiskMutations, VmDiskQueries
from icgpu.api.graphql.vms import VmMutations, VmQueries
from icgpu.settings import Settings

Query = merge_types("Query", (InstanceQueries, IdentityQueries, SlurmQueries, ClusterQueries, QuotaQueries,
                              FunctionQueries, VmQueries, VmDiskQueries, ModelQueries,
                              TokenQueries, SpendingAlertQueries))
Mutation = merge_types("Mutation", (InstanceMutations, IdentityMutations, SlurmMutations, ClusterMutations,
                                    FunctionMutations, VmMutations, VmDiskMutations, ModelMutations,
                                    TokenMutations, SpendingAlertMutations))
Subscription = merge_types("Subscription", (InstanceSubscriptions, EventSubscriptions))


class Schema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """Client errors are answers, not incidents: ApiErrors (the extension) logs only the
        unexpected ones, with their stack trace."""


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
            # A factory, not an instance: each operation gets its own extension object. The token
            # limit, the limit rules, and parse and validation caches (documents.py).
            documents(rules),
        ],
    )


def export_sdl() -> str:
    return strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription).as_str() + "\n"
