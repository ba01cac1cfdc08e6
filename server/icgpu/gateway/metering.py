"""Metering one /v1 call: hold the most it can cost before it starts, settle what it used after.

- **Reserve** (one transaction, ``TokenService.reserve``): ``ceil((prompt + completion cap) *
  multiplier)`` where the completion cap is the call's ``max_tokens`` (at most the model's context
  length; times ``n``) or, when absent, ``min(model context length, ICGPU_LLM_MAX_RESERVATION_TOKENS)``.
  402 ``InsufficientTokens`` when the available balance cannot cover it, before the upstream is called.
- **Settle** (one transaction, ``TokenService.settle``): the upstream's reported usage, or the
  tokenizer's count of what was relayed when it reports none (a stream cut short by the client or by
  the upstream); the charge never exceeds the hold, so parallel calls never take a balance below zero.
  A call that used nothing (the upstream could not be reached, refused the request) is released.

``tokens`` is the platform's ``TokenLedger`` (services/token_ledger.py): with
``ICGPU_LLM_METERING_FLUSH_MS`` above 0 the hold comes from the process's block of the tenant's
tokens in memory and the settlement is written in the next batch (the guarantees above hold); at 0
each step is its own transaction as described.

``MeteredCall.close`` is idempotent and shielded from cancellation: a call's ``finally`` runs it, so a
client disconnect or an upstream failure still settles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import anyio

from icgpu.auth.principal import Principal
from icgpu.gateway import tokenizer
from icgpu.gateway.contracts import Route, Tokens

USED = "X-Tokens-Used"
REMAINING = "X-Tokens-Remaining"


def reservation_size(route: Route, *, prompt_tokens: int, max_tokens: int | None, n: int, cap: int) -> int:
    # A model never writes more than its context length, whatever max_tokens says.
    completion = min(max_tokens, route.context_length) if max_tokens is not None else min(route.context_length, cap)
    return max(1, math.ceil((prompt_tokens + completion * n) * route.token_multiplier))


def _count(usage: dict[str, Any] | None, key: str) -> int | None:
    value = usage.get(key) if usage else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass
class MeteredCall:
    tokens: Tokens
    principal: Principal
    route: Route
    request_id: str | None
    reservation: Any
    prompt_tokens: int  # the gateway's own count of the prompt
    settled: bool = False
    charged: int = 0
    remaining: int | None = None

    @property
    def held_remaining(self) -> int | None:
        """The available balance right after the hold (``Reservation.available``: the balance minus
        every hold in flight), a stream's opening ``X-Tokens-Remaining``."""
        value = getattr(self.reservation, "available", None)
        return value if isinstance(value, int) else None

    def headers(self) -> dict[str, str]:
        """X-Tokens-Used / X-Tokens-Remaining: the charge once settled; before (a stream's start), 0
        and the balance available after the hold."""
        remaining = self.remaining if self.settled else self.held_remaining
        out = {USED: str(self.charged if self.settled else 0)}
        if remaining is not None:
            out[REMAINING] = str(remaining)
        return out

    async def settle(self, usage: dict[str, Any] | None, completion_text: str = "") -> None:
        """Charge what the call used: the upstream's usage, else the prompt count and the tokenizer's
        count of the relayed text."""
        if self.settled:
            return
        prompt = _count(usage, "prompt_tokens")
        completion = _count(usage, "completion_tokens")
        if prompt is None:
            prompt = self.prompt_tokens
        if completion is None:
            completion = tokenizer.count_tokens(completion_text) if completion_text else 0
        with anyio.CancelScope(shield=True):
            settlement = await self.tokens.settle(
                self.reservation, prompt_tokens=prompt, completion_tokens=completion,
                multiplier=self.route.token_multiplier, model=self.route.name, request_id=self.request_id,
                api_key_id=self.principal.api_key_id)
        self.settled = True
        self.charged = int(settlement.charged)
        self.remaining = int(settlement.remaining)

    async def release(self) -> None:
        """Nothing was used: free the hold."""
        if self.settled:
            return
        with anyio.CancelScope(shield=True):
            remaining = await self.tokens.release(self.reservation)
        self.settled = True
        self.charged = 0
        self.remaining = int(remaining) if isinstance(remaining, int) else None


async def reserve(tokens: Tokens, p: Principal, route: Route, *, prompt_tokens: int, max_tokens: int | None,
                  n: int, cap: int, request_id: str | None) -> MeteredCall:
    amount = reservation_size(route, prompt_tokens=prompt_tokens, max_tokens=max_tokens, n=n, cap=cap)
    reservation = await tokens.reserve(p, amount=amount, model=route.name)
    return MeteredCall(tokens, p, route, request_id, reservation, prompt_tokens)

