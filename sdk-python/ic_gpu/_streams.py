"""Subscriptions: error mapping for the async generated client, and a bridge for sync callers.

The sync generated client has no subscriptions (ariadne-codegen makes them async only), so the
sync SDK runs the async one on a private event loop in a worker thread and hands each event over
a queue. That also works where the caller's thread already runs a loop (Jupyter).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

from ._config import Config
from ._errors import APIConnectionError, APIError, AuthenticationError, ICGPUError, ValidationError, from_graphql_error
from .generated.aio import AsyncGeneratedClient
from .generated.aio.exceptions import GraphQLClientError, GraphQLClientGraphQLMultiError

T = TypeVar("T")

# graphql-transport-ws close codes the server uses (docs/errors.md, Subscriptions).
CLOSE_CODES: dict[int, type[APIError]] = {4401: AuthenticationError, 4403: AuthenticationError,
                                          4400: ValidationError}
JOIN_TIMEOUT = 10.0


def ws_client(config: Config) -> AsyncGeneratedClient:
    return AsyncGeneratedClient(url=config.graphql_url, ws_url=config.ws_url,
                                ws_connection_init_payload=config.ws_init_payload())


def subscription_error(exc: BaseException) -> ICGPUError:
    if isinstance(exc, GraphQLClientGraphQLMultiError) and exc.errors:
        first = exc.errors[0]
        return from_graphql_error({"message": first.message, "extensions": first.extensions or {}},
                                  request_id=None, retry_after=None)
    code = getattr(getattr(exc, "rcvd", None), "code", None)
    reason = getattr(getattr(exc, "rcvd", None), "reason", "") or str(exc)
    if isinstance(code, int) and code in CLOSE_CODES:
        type_, _, detail = reason.partition(":")
        return CLOSE_CODES[code](reason, status=code, type=type_.strip() or None,
                                 code=detail.strip() or type_.strip() or None)
    if isinstance(exc, GraphQLClientError):
        return APIError(str(exc))
    return APIConnectionError(f"subscription connection failed: {exc.__class__.__name__}: {exc}")


async def mapped(events: AsyncIterator[T]) -> AsyncIterator[T]:
    """Re-raise a subscription's failures as the SDK's exceptions."""
    try:
        async for event in events:
            yield event
    except ICGPUError:
        raise
    except Exception as exc:  # the websocket's and the generated client's failures (CancelledError passes)
        raise subscription_error(exc) from exc


def iterate_in_thread(make: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    """Iterate an async iterator from sync code; closing the generator cancels the subscription."""
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    loop = asyncio.new_event_loop()

    async def pump() -> None:
        try:
            async for item in make():
                items.put(("item", item))
        except asyncio.CancelledError:
            items.put(("done", None))
            return
        except BaseException as exc:
            items.put(("error", exc))
            return
        items.put(("done", None))

    task = loop.create_task(pump())

    def run() -> None:
        try:
            loop.run_until_complete(task)
            loop.run_until_complete(loop.shutdown_asyncgens())  # finish the subscription's generators
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="ic-gpu-subscription", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        if thread.is_alive():
            # The thread may be closing its loop right now, its task ended: then there is nothing to cancel.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)
            thread.join(JOIN_TIMEOUT)
