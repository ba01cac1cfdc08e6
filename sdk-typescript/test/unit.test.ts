/** The pure parts: Retry-After, backoff, error classes by type and status, URLs, keys, pages. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  APIError,
  ConflictError,
  ICGPU,
  ICGPUError,
  InsufficientTokensError,
  InternalServerError,
  NotFoundError,
  PageIterator,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  ValidationError,
} from "../src/index.js";
import { makeAPIError } from "../src/errors.js";
import { isRetryable, newIdempotencyKey, parseRetryAfter, retryDelayMs } from "../src/retry.js";
import { webSocketURL } from "../src/subscriptions.js";
import { operationOf } from "../src/transport.js";

describe("retry policy", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    assert.equal(parseRetryAfter("2"), 2000);
    assert.equal(parseRetryAfter("0"), 0);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter("soon"), undefined);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now), 3000);
  });

  it("backs off exponentially with jitter, capped, and honours Retry-After", () => {
    assert.equal(retryDelayMs(0, undefined, () => 0), 500);
    assert.equal(retryDelayMs(0, undefined, () => 1), 375);
    assert.equal(retryDelayMs(2, undefined, () => 0), 2000);
    assert.equal(retryDelayMs(10, undefined, () => 0), 8000);
    assert.equal(retryDelayMs(3, 1500), 1500);
    assert.equal(retryDelayMs(0, 3_600_000, () => 0), 500, "an hour-long Retry-After falls back to backoff");
  });

  it("retries 429/502/503, throttling and unavailability types, a key still in progress; nothing else", () => {
    for (const status of [429, 502, 503]) assert.ok(isRetryable(status, undefined, undefined), String(status));
    for (const status of [400, 401, 403, 404, 409, 500, 504]) assert.ok(!isRetryable(status, undefined, undefined), String(status));
    assert.ok(isRetryable(undefined, "ThrottlingException", undefined));
    assert.ok(isRetryable(undefined, "ServiceUnavailableException", undefined));
    assert.ok(isRetryable(409, "ConflictException", "IdempotencyKeyInProgress"));
    assert.ok(!isRetryable(409, "ConflictException", "IdempotencyKeyReused"));
    assert.ok(!isRetryable(undefined, "InternalServiceException", undefined));
  });

  it("makes a fresh UUID per key", () => {
    const a = newIdempotencyKey();
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, newIdempotencyKey());
  });
});

describe("error classes", () => {
  const cases: Array<[string | undefined, number | undefined, new (...a: never[]) => APIError]> = [
    ["ValidationException", 400, ValidationError],
    ["InsufficientTokens", 402, InsufficientTokensError],
    ["AccessDeniedException", 403, PermissionDeniedError],
    ["ResourceNotFoundException", 404, NotFoundError],
    ["ConflictException", 409, ConflictError],
    ["ThrottlingException", 429, RateLimitError],
    ["InternalServiceException", 500, InternalServerError],
    ["ServiceUnavailableException", 502, ServiceUnavailableError],
    [undefined, 415, ValidationError],
    [undefined, 503, ServiceUnavailableError],
    [undefined, 507, InternalServerError],
    [undefined, 418, APIError],
  ];
  for (const [type, status, cls] of cases) {
    it(`${type ?? "no type"} / ${status} -> ${cls.name}`, () => {
      const err = makeAPIError({ type, status, message: "m", requestId: "req-1" });
      assert.ok(err instanceof cls && err instanceof APIError && err instanceof ICGPUError && err instanceof Error);
      assert.equal(err.name, cls.name);
      assert.equal(err.code, type, "code defaults to the type");
    });
  }
});

describe("client pieces", () => {
  it("websocket URL and operation names", () => {
    assert.equal(webSocketURL("https://api.example.com/base"), "wss://api.example.com/base/graphql");
    assert.equal(webSocketURL("http://127.0.0.1:8000"), "ws://127.0.0.1:8000/graphql");
    assert.deepEqual(operationOf("\n  mutation CreateTeam($x: Int) { a }"), { kind: "mutation", name: "CreateTeam" });
  });

  it("refuses bad options", () => {
    assert.throws(() => new ICGPU({ maxRetries: -1 }), ICGPUError);
    assert.throws(() => new ICGPU({ timeout: 0 }), ICGPUError);
    assert.equal(new ICGPU({ baseURL: "http://h:1/" }).baseURL, "http://h:1");
  });

  it("pages stop at the last page and on a repeated token", async () => {
    const pages: Record<string, { items: number[]; nextToken: string | null }> = {
      start: { items: [1, 2], nextToken: "a" },
      a: { items: [3], nextToken: "b" },
      b: { items: [4], nextToken: "a" },
    };
    const seen: Array<string | undefined> = [];
    const it = new PageIterator<number>(async (token) => {
      seen.push(token);
      const page = pages[token ?? "start"];
      assert.ok(page);
      return page;
    });
    assert.deepEqual(await it.toArray(), [1, 2, 3, 4]);
    assert.deepEqual(seen, [undefined, "a", "b"]);
  });
});
