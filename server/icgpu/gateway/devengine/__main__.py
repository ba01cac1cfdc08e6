"""`python -m icgpu.gateway.devengine --host 127.0.0.1 --port N --model NAME [--kind chat|embedding]
[--chunk-delay-ms X] [--fail-after-chunks N] [--api-key KEY] [--exit-with-parent]`

Binds the socket itself (port 0 picks a free one) and prints `LISTENING <host> <port>` on stdout once
it accepts connections; everything else goes to stderr. SIGTERM stops it gracefully."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
import threading

import uvicorn

from icgpu.gateway.devengine.app import DevEngineApp, DropConnection, Options

POLL_PARENT_SECONDS = 0.5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m icgpu.gateway.devengine", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    parser.add_argument("--model", required=True, help="the model name it serves (requests must use it)")
    parser.add_argument("--kind", choices=("chat", "embedding"), default="chat")
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0, help="pause between streamed chunks")
    parser.add_argument("--fail-after-chunks", type=int, default=None,
                        help="streams drop the connection after N chunks")
    parser.add_argument("--api-key", default=None, help="require this bearer token")
    parser.add_argument("--exit-with-parent", action="store_true", help="exit when the parent process goes away")
    args = parser.parse_args(argv)
    if args.chunk_delay_ms < 0 or (args.fail_after_chunks is not None and args.fail_after_chunks < 0):
        parser.error("--chunk-delay-ms and --fail-after-chunks must not be negative")
    return args


class _HideDrops(logging.Filter):
    """--fail-after-chunks cuts connections on purpose: not an error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and record.exc_info[0] is DropConnection)


def _warm(kind: str) -> None:
    """Load the shipped model files off the request path, right after the socket is up."""
    from icgpu.gateway import tokenizer
    from icgpu.gateway.devengine import textgen

    tokenizer.count_tokens("warm up")
    if kind == "chat":
        textgen.model()


async def _exit_with_parent(server: uvicorn.Server, parent: int) -> None:
    while not server.should_exit:
        if os.getppid() != parent:
            server.should_exit = True
            return
        await asyncio.sleep(POLL_PARENT_SECONDS)


async def serve(args: argparse.Namespace) -> None:
    options = Options(
        model=args.model, kind=args.kind, chunk_delay=args.chunk_delay_ms / 1000.0,
        fail_after_chunks=args.fail_after_chunks, api_key=args.api_key,
    )
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it a
    # response written as headers then body waits for the client's delayed ACK (40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    config = uvicorn.Config(
        DevEngineApp(options), lifespan="off", access_log=False, log_level="warning",
        timeout_graceful_shutdown=2, server_header=False,
    )
    logging.getLogger("uvicorn.error").addFilter(_HideDrops())
    server = uvicorn.Server(config)
    parent = os.getppid()
    watchdog = asyncio.create_task(_exit_with_parent(server, parent)) if args.exit_with_parent else None
    threading.Thread(target=_warm, args=(args.kind,), daemon=True).start()
    print(f"LISTENING {args.host} {sock.getsockname()[1]}", flush=True)
    try:
        await server.serve(sockets=[sock])
    finally:
        if watchdog is not None:
            watchdog.cancel()
        sock.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal ends it quietly
        asyncio.run(serve(args))
    sys.exit(0)


if __name__ == "__main__":
    main()
