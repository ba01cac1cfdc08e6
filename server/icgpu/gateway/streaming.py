"""Relaying an upstream's server-sent events to the caller, event by event as they arrive.

Each ``data:`` line is parsed only as far as metering needs: the ``usage`` object of the final
chunk (the gateway always asks the upstream for it) and the text of the content deltas (counted
with the tokenizer when an upstream reports no usage, or when the stream ends early). The model
name is rewritten to the one the caller asked for; a usage chunk the caller did not ask for is
not passed on. Nothing is buffered beyond one incomplete line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson

DONE = b"[DONE]"
DONE_EVENT = b"data: [DONE]\n\n"


@dataclass
class StreamTally:
    """What a stream carried so far."""

    model: str  # the name the caller used, written into every chunk
    upstream_model: str
    pass_usage: bool  # the caller asked for the usage chunk
    usage: dict[str, Any] | None = None
    text: list[str] = field(default_factory=list)
    events: int = 0
    done: bool = False

    def completion_text(self) -> str:
        return "".join(self.text)

    def event(self, payload: bytes) -> bytes | None:
        """The event to send for one upstream ``data:`` payload (None: nothing to send)."""
        if payload == DONE:
            self.done = True
            return None
        try:
            chunk = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return b"data: " + payload + b"\n\n"  # not ours to judge: passed on as it came
        if not isinstance(chunk, dict):
            return b"data: " + payload + b"\n\n"
        self.events += 1
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.usage = usage
        choices = chunk.get("choices")
        if isinstance(choices, list):
            for choice in choices:
                delta = choice.get("delta") if isinstance(choice, dict) else None
                content = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(content, str):
                    self.text.append(content)
        if usage is not None and not self.pass_usage:
            if not choices:
                return None  # the usage-only chunk we asked for on our own account
            del chunk["usage"]
            payload = b""
        if chunk.get("model", self.model) != self.model:
            chunk["model"] = self.model
            payload = b""
        if not payload:
            payload = orjson.dumps(chunk)
        return b"data: " + payload + b"\n\n"


async def relay_events(raw: AsyncIterator[bytes], tally: StreamTally) -> AsyncIterator[bytes]:
    """The caller's events from the upstream's byte stream; stops at ``[DONE]`` (not sent: the
    caller of this sends it once the call is settled)."""
    pending = b""
    async for piece in raw:
        pending = pending + piece if pending else piece
        if b"\n" not in piece:
            continue
        lines = pending.split(b"\n")
        pending = lines.pop()
        out = []
        for line in lines:
            if not line.startswith(b"data:"):
                continue  # blank separators, comments, event/id fields
            event = tally.event(line[5:].strip())
            if tally.done:
                break
            if event is not None:
                out.append(event)
        if out:
            yield b"".join(out)
        if tally.done:
            return
    if pending.startswith(b"data:"):  # a last line without its newline
        event = tally.event(pending[5:].strip())
        if event is not None and not tally.done:
            yield event


def usage_event(tally: StreamTally, usage: dict[str, int], chunk_id: str, created: int) -> bytes:
    """A final usage chunk, for a caller who asked for one when the upstream sent none."""
    chunk = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": tally.model,
             "choices": [], "usage": usage}
    return b"data: " + orjson.dumps(chunk) + b"\n\n"
