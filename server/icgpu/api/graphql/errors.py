"""GraphQL errors carry the API error type in ``extensions.code``; anything unexpected is masked
as InternalServiceException and logged with the request id."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionResult as StrawberryExecutionResult

from icgpu.api.errors import graphql_extensions
from icgpu.errors import ApiError

log = logging.getLogger("icgpu.graphql")


class ApiErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: False)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return api_errors(errors)

    def on_operation(self) -> Iterator[None]:
        """MaskErrors' own, without its check of the result against a runtime Protocol (which costs
        more than the rest of the hook): an execution result's errors are replaced when it has any."""
        self._stream_result_processed = False
        yield
        if self._stream_result_processed:  # a stream's results were processed one by one
            return
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | StrawberryExecutionResult):
            if result.errors:
                result.errors = api_errors(result.errors)
        elif initial_result := getattr(result, "initial_result", None):
            self._process_result(initial_result)


def api_errors(errors: list[GraphQLError], *, log_unexpected: bool = True) -> list[GraphQLError]:
    """The errors as the client sees them: an ApiError's message and extensions, a client error's
    ValidationException (400), anything else masked as InternalServiceException (500)."""
    out: list[GraphQLError] = []
    for error in errors:
        orig = error.original_error
        while isinstance(orig, GraphQLError) and orig.original_error is not None:
            orig = orig.original_error
        if isinstance(orig, ApiError):
            message, ext = orig.message, graphql_extensions(orig)
        elif orig is None or isinstance(orig, GraphQLError):
            # Syntax, validation, variable coercion and limit errors: the client's query is at fault.
            message = error.message
            ext = dict(error.extensions or {})
            if "status" not in ext:  # (a replayed response already carries its own)
                ext = {"code": ext.get("code", "ValidationException"), "status": 400}
        else:
            if log_unexpected:
                log.error("unhandled GraphQL error at %s", error.path, exc_info=orig)
            message = "an unexpected error occurred"
            ext = {"code": "InternalServiceException", "status": 500}
        out.append(GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                                path=error.path, original_error=None, extensions=ext))
    return out
