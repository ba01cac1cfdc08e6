"""Mounting GraphQL on FastAPI: HTTP (GraphiQL in a browser) and graphql-transport-ws."""

from __future__ import annotations

from typing import Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET

from icgpu.api.graphql.context import Context
from icgpu.api.graphql.schema import build_schema
from icgpu.errors import ApiError
from icgpu.platform import Platform


class _Router(GraphQLRouter[Context, None]):
    async def on_ws_connect(self, context: Context) -> Any:
        """Authenticate the socket once, from the connection_init payload."""
        try:
            await context.principal()
        except ApiError as err:
            raise ConnectionRejectionError({"code": err.type, "message": err.message}) from None
        return UNSET


def graphql_router(platform: Platform) -> GraphQLRouter[Context, None]:
    async def get_context() -> Context:
        return Context(platform)

    return _Router(
        build_schema(platform.settings),
        context_getter=get_context,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL],
        graphql_ide="graphiql",
        multipart_uploads_enabled=False,
    )
