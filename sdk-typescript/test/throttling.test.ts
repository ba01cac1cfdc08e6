/** A server with a small rate limit: a real 429 maps to RateLimitError, and retries get through. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { RateLimitError } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

const LIMIT = 3;
let server: TestServer;
let apiKey: string;

before(async () => {
  server = await TestServer.start({ ICGPU_RATE_LIMIT_API: String(LIMIT), ICGPU_RATE_LIMIT_WINDOW_SECONDS: "1" });
  apiKey = (await server.bootstrap(uniqueName("busy"), "alice@example.com")).api_key;
});

after(async () => {
  await server?.stop();
});

describe("throttling", () => {
  it("over the limit without retries: RateLimitError (429, ThrottlingException, Retry-After)", async () => {
    const eager = client(server.url, apiKey, { maxRetries: 0 });
    let caught: unknown;
    for (let i = 0; i < LIMIT + 2 && caught === undefined; i++) {
      try {
        await eager.me();
      } catch (err) {
        caught = err;
      }
    }
    assert.ok(caught instanceof RateLimitError, String(caught));
    assert.equal(caught.status, 429);
    assert.equal(caught.type, "ThrottlingException");
    assert.ok((caught.retryAfter ?? 0) >= 1, `Retry-After ${caught.retryAfter}`);
    assert.match(caught.requestId ?? "", /\S/);
  });

  it("retried after Retry-After until it succeeds", async () => {
    const statuses: number[] = [];
    const patient = client(server.url, apiKey, {
      maxRetries: 4,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      },
    });
    for (let i = 0; i < LIMIT + 2; i++) {
      assert.equal((await patient.me()).email, "alice@example.com");
    }
    assert.ok(statuses.includes(429), `throttled at least once: ${statuses.join(",")}`);
    assert.equal(statuses.filter((s) => s === 200).length, LIMIT + 2);
  });
});
