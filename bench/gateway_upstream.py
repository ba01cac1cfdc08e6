"""A minimal OpenAI-compatible upstream on loopback that answers a fixed completion, as fast as it
can (a bare asyncio HTTP/1.1 server: keep-alive, Content-Length bodies), so that what a benchmark
measures through the gateway is the gateway. Also used by the gateway's tests as a controllable
upstream: streamed chunks with a delay, and counters of streams finished and cut short.

    python bench/gateway_upstream.py --port N [--chunks 8] [--chunk-delay-ms 0] [--no-usage]

Routes: GET /health, GET /v1/models, GET /stats, POST /v1/chat/completions (``stream`` and
``stream_options.include_usage`` honoured), POST /v1/embeddings (float or base64).

Failures on request, for the gateway's tests (extra body parameters, which the gateway passes
through): ``x_upstream_status: N`` answers N with an OpenAI-shaped error; ``x_fail_after_chunks: N``
drops the connection after N content chunks of a stream.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import struct
import sys
from typing import Any

COMPLETION_WORDS = ["The", " gateway", " relays", " this", " fixed", " answer", " chunk", " by", " chunk", "."]
PROMPT_TOKENS = 12
DIMENSION = 8


class Upstream:
    def __init__(self, chunks: int, delay: float, usage: bool) -> None:
        self.chunks = chunks
        self.delay = delay
        self.usage = usage
        self.stats = {"requests": 0, "streams_started": 0, "streams_finished": 0, "streams_cancelled": 0,
                      "last_body": None}

    def words(self, max_tokens: int | None) -> list[str]:
        words = [COMPLETION_WORDS[i % len(COMPLETION_WORDS)] for i in range(self.chunks)]
        return words[:max_tokens] if max_tokens else words

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        words = self.words(body.get("max_tokens"))
        out: dict[str, Any] = {
            "id": "chatcmpl-upstream", "object": "chat.completion", "created": 1700000000,
            "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(words)},
                         "finish_reason": "stop"}]}
        if self.usage:
            out["usage"] = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": len(words),
                            "total_tokens": PROMPT_TOKENS + len(words)}
        return out

    def chunk(self, model: str, delta: dict[str, Any], finish: str | None) -> bytes:
        return b"data: " + json.dumps({
            "id": "chatcmpl-upstream", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).encode() + b"\n\n"

    def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = body["input"] if isinstance(body.get("input"), list) else [body.get("input")]
        data = []
        for i, text in enumerate(texts):
            vector = [((len(str(text)) + k) % 7) / 7.0 for k in range(DIMENSION)]
            value: Any = vector
            if body.get("encoding_format") == "base64":
                value = base64.b64encode(struct.pack(f"<{DIMENSION}f", *vector)).decode()
            data.append({"object": "embedding", "index": i, "embedding": value})
        return {"object": "list", "data": data, "model": body.get("model"),
                "usage": {"prompt_tokens": 3 * len(texts), "total_tokens": 3 * len(texts)}}


def head(status: int, extra: bytes = b"") -> bytes:
    reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}.get(status, b"Error")
    return b"HTTP/1.1 %d %s\r\n%s" % (status, reason, extra)


class Connection(asyncio.Protocol):
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.streaming: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.streaming is not None and not self.streaming.done():
            self.streaming.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            header = self.buffer[:end].decode("latin-1")
            lines = header.split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            self.handle(method, path, body)

    def send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        assert self.transport is not None
        self.transport.write(head(status, b"content-type: application/json\r\ncontent-length: %d\r\n\r\n"
                                  % len(data)) + data)

    def handle(self, method: str, path: str, raw: bytes) -> None:
        up = self.upstream
        up.stats["requests"] += 1
        if method == "GET" and path == "/health":
            return self.send_json(200, {"status": "ok"})
        if method == "GET" and path == "/stats":
            return self.send_json(200, up.stats)
        if method == "GET" and path == "/v1/models":
            return self.send_json(200, {"object": "list", "data": [{"id": "fixed", "object": "model",
                                                                   "created": 0, "owned_by": "bench"}]})
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self.send_json(400, {"error": {"message": "not JSON", "type": "invalid_request_error"}})
        if method == "POST" and path == "/v1/chat/completions":
            up.stats["last_body"] = body
            status = body.get("x_upstream_status")
            if isinstance(status, int):
                return self.send_json(status, {"error": {"message": f"failing with {status} as asked",
                                                         "type": "invalid_request_error"}})
            if not body.get("messages"):
                return self.send_json(400, {"error": {"message": "messages is required",
                                                      "type": "invalid_request_error"}})
            if body.get("stream"):
                self.streaming = asyncio.get_running_loop().create_task(self.stream(body))
                return None
            return self.send_json(200, up.completion(body))
        if method == "POST" and path == "/v1/embeddings":
            up.stats["last_body"] = body
            return self.send_json(200, up.embeddings(body))
        return self.send_json(404, {"error": {"message": "no such route", "type": "invalid_request_error"}})

    async def stream(self, body: dict[str, Any]) -> None:
        up = self.upstream
        transport = self.transport
        assert transport is not None
        up.stats["streams_started"] += 1
        model = str(body.get("model"))
        words = up.words(body.get("max_tokens"))

        def send(data: bytes) -> None:
            transport.write(b"%x\r\n%s\r\n" % (len(data), data))

        try:
            transport.write(head(200, b"content-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"))
            send(up.chunk(model, {"role": "assistant", "content": ""}, None))
            fail_after = body.get("x_fail_after_chunks")
            for i, word in enumerate(words):
                if up.delay:
                    await asyncio.sleep(up.delay)
                if transport.is_closing():
                    raise asyncio.CancelledError
                if isinstance(fail_after, int) and i == fail_after:
                    transport.abort()  # mid-stream failure: the connection drops without the end
                    return
                send(up.chunk(model, {"content": word}, None))
            send(up.chunk(model, {}, "stop"))
            if up.usage and (body.get("stream_options") or {}).get("include_usage"):
                send(b"data: " + json.dumps({
                    "id": "chatcmpl-upstream", "object": "chat.completion.chunk", "created": 1700000000,
                    "model": model, "choices": [],
                    "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": len(words),
                              "total_tokens": PROMPT_TOKENS + len(words)}}).encode() + b"\n\n")
            send(b"data: [DONE]\n\n")
            transport.write(b"0\r\n\r\n")
            up.stats["streams_finished"] += 1
        except asyncio.CancelledError:
            up.stats["streams_cancelled"] += 1


async def serve(host: str, port: int, upstream: Upstream, ready: asyncio.Event | None = None) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(upstream), host, port, backlog=1024)
    print(f"listening on http://{host}:{server.sockets[0].getsockname()[1]}", flush=True)
    if ready is not None:
        ready.set()
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--chunks", type=int, default=8, help="content chunks per completion")
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0, help="sleep before each content chunk")
    parser.add_argument("--no-usage", action="store_true", help="report no usage (the gateway counts itself)")
    args = parser.parse_args(argv)
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    upstream = Upstream(args.chunks, args.chunk_delay_ms / 1000.0, not args.no_usage)
    try:
        asyncio.run(serve(args.host, args.port, upstream))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
