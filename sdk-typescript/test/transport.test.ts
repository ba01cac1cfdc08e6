/**
 * Through a loopback proxy in front of a real server: 5xx classes, connection errors and timeouts,
 * retries, one Idempotency-Key per mutation reused by its retries (a retried create makes exactly
 * one resource), and SecretUnavailableError when the replay of a secret-returning call comes back.
 */

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";

import {
  APIConnectionError,
  APITimeoutError,
  InternalServerError,
  RateLimitError,
  SecretUnavailableError,
  ServiceUnavailableError,
  type ICGPU,
} from "../src/index.js";
import { client, sshPublicKey, uniqueName } from "./support/fixtures.js";
import { FORWARD, Proxy, type Action } from "./support/proxy.js";
import { TestServer, freePort } from "./support/server.js";

let server: TestServer;
let proxy: Proxy;
let apiKey: string;
/** Straight to the server, to check what the proxied calls left behind. */
let direct: ICGPU;
/** Through the proxy, retrying at once on 5xx (the proxy sends `Retry-After: 0`). */
let proxied: ICGPU;

const retryNow = { "retry-after": "0" };

before(async () => {
  server = await TestServer.start();
  proxy = await Proxy.start(server.url);
  apiKey = (await server.bootstrap(uniqueName("proxied"), "alice@example.com")).api_key;
  direct = client(server.url, apiKey);
  proxied = client(proxy.url, apiKey, { maxRetries: 2 });
});

after(async () => {
  await proxy?.close();
  await server?.stop();
});

beforeEach(() => proxy.plan(() => FORWARD));

/** The first request for `operation` gets `first`; every other request is forwarded. */
function onFirst(operation: string, first: Action): void {
  let done = false;
  proxy.plan((req) => {
    if (req.operationName !== operation || done) return FORWARD;
    done = true;
    return first;
  });
}

describe("5xx and retries", () => {
  it("500 is InternalServerError, not retried", async () => {
    proxy.plan(() => ({
      kind: "respond",
      status: 500,
      body: { error: { type: "InternalServiceException", code: "InternalServiceException", message: "boom", request_id: "req-proxy500" } },
    }));
    await assert.rejects(proxied.gpuTiers.list(), (err: unknown) => {
      assert.ok(err instanceof InternalServerError, String(err));
      assert.equal(err.status, 500);
      assert.equal(err.type, "InternalServiceException");
      assert.equal(err.requestId, "req-proxy500");
      return true;
    });
    assert.equal(proxy.requests.length, 1);
  });

  it("502 without a JSON body is ServiceUnavailableError after every retry", async () => {
    proxy.plan(() => ({ kind: "respond", status: 502, body: "<html>bad gateway</html>", headers: { ...retryNow, "content-type": "text/html" } }));
    await assert.rejects(proxied.gpuTiers.list(), (err: unknown) => {
      assert.ok(err instanceof ServiceUnavailableError, String(err));
      assert.equal(err.status, 502);
      return true;
    });
    assert.equal(proxy.requests.length, 3, "1 attempt + maxRetries 2");
  });

  it("503 ServiceUnavailableException is retried, then succeeds", async () => {
    onFirst("ListGpuTiers", {
      kind: "respond",
      status: 503,
      headers: retryNow,
      body: { error: { type: "ServiceUnavailableException", code: "ServiceUnavailableException", message: "scaling up" } },
    });
    const tiers = await proxied.gpuTiers.list();
    assert.ok(tiers.length > 0);
    assert.equal(proxy.calls("ListGpuTiers").length, 2);
  });

  it("503 with maxRetries 0 is ServiceUnavailableError at once", async () => {
    proxy.plan(() => ({ kind: "respond", status: 503, headers: retryNow, body: { error: { type: "ServiceUnavailableException", message: "down" } } }));
    await assert.rejects(proxied.gpuTiers.list({ maxRetries: 0 }), ServiceUnavailableError);
    assert.equal(proxy.requests.length, 1);
  });

  it("a GraphQL ThrottlingException inside a 200 is retried", async () => {
    onFirst("GetViewer", {
      kind: "respond",
      status: 200,
      headers: retryNow,
      body: { data: null, errors: [{ message: "slow down", extensions: { code: "ThrottlingException", status: 429, reason: "ThrottlingException" } }] },
    });
    assert.equal((await proxied.me()).email, "alice@example.com");
    assert.equal(proxy.calls("GetViewer").length, 2);
  });

  it("a 429 every time is RateLimitError with its Retry-After", async () => {
    proxy.plan(() => ({ kind: "respond", status: 429, headers: { "retry-after": "0" }, body: { error: { type: "ThrottlingException", message: "too many" } } }));
    await assert.rejects(proxied.me({ maxRetries: 1 }), (err: unknown) => {
      assert.ok(err instanceof RateLimitError, String(err));
      assert.equal(err.retryAfter, 0);
      return true;
    });
    assert.equal(proxy.requests.length, 2);
  });
});

describe("connection errors and timeouts", () => {
  it("a dropped connection is retried, then succeeds", async () => {
    onFirst("ListGpuTiers", { kind: "drop" });
    assert.ok((await proxied.gpuTiers.list()).length > 0);
    assert.equal(proxy.calls("ListGpuTiers").length, 2);
  });

  it("connections dropped every time: APIConnectionError", async () => {
    proxy.plan(() => ({ kind: "drop" }));
    await assert.rejects(proxied.gpuTiers.list({ maxRetries: 1 }), (err: unknown) => {
      assert.ok(err instanceof APIConnectionError && !(err instanceof APITimeoutError), String(err));
      assert.equal(err.status, undefined);
      return true;
    });
    assert.equal(proxy.requests.length, 2);
  });

  it("nothing listening: APIConnectionError", async () => {
    const nobody = client(`http://127.0.0.1:${await freePort()}`, apiKey, { maxRetries: 0 });
    await assert.rejects(nobody.gpuTiers.list(), APIConnectionError);
  });

  it("no answer within the timeout: APITimeoutError", async () => {
    proxy.plan(() => ({ kind: "hang" }));
    const impatient = client(proxy.url, apiKey, { timeout: 300, maxRetries: 1 });
    await assert.rejects(impatient.gpuTiers.list(), APITimeoutError);
    assert.equal(proxy.requests.length, 2, "a timeout is retried");
  });
});

describe("idempotent retries of mutations", () => {
  it("a create whose answer is lost (502) is retried with the same key: exactly one instance", async () => {
    onFirst("CreateInstance", { kind: "forwardThenRespond", status: 502, headers: retryNow, body: { error: { type: "ServiceUnavailableException", message: "gateway" } } });
    const name = uniqueName("once");
    const { instance } = await proxied.instances.create({ name, tier: "timesliced", sshKey: sshPublicKey() });
    const [first, retry] = proxy.calls("CreateInstance");
    assert.equal(proxy.calls("CreateInstance").length, 2);
    assert.ok(first?.headers["idempotency-key"]);
    assert.equal(retry?.headers["idempotency-key"], first?.headers["idempotency-key"], "one key, reused by the retry");
    assert.equal(first?.upstream?.status, 200, "the first attempt committed");
    assert.equal(retry?.upstream?.headers["idempotent-replayed"], "true");
    const created = JSON.parse(first?.upstream?.body ?? "{}") as { data: { createInstance: { instance: { id: string } } } };
    assert.equal(instance.id, created.data.createInstance.instance.id, "the retry answers the original resource");
    const named = (await direct.instances.list().toArray()).filter((i) => i.name === name);
    assert.deepEqual(named.map((i) => i.id), [instance.id]);
    await direct.instances.delete(instance.id);
  });

  it("a create whose connection drops after the commit: exactly one team", async () => {
    onFirst("CreateTeam", { kind: "forwardThenDrop" });
    const name = uniqueName("team-once");
    const { team } = await proxied.teams.create({ name });
    assert.equal(proxy.calls("CreateTeam").length, 2);
    const named = (await direct.teams.list().toArray()).filter((t) => t.name === name);
    assert.deepEqual(named.map((t) => t.id), [team.id]);
  });

  it("a create that times out after the commit is retried with the same key: exactly one team", async () => {
    onFirst("CreateTeam", { kind: "forwardThenHang" });
    const name = uniqueName("slow-once");
    const patient = client(proxy.url, apiKey, { timeout: 1500, maxRetries: 2 });
    const { team } = await patient.teams.create({ name });
    const calls = proxy.calls("CreateTeam");
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.headers["idempotency-key"], calls[0]?.headers["idempotency-key"]);
    const named = (await direct.teams.list().toArray()).filter((t) => t.name === name);
    assert.deepEqual(named.map((t) => t.id), [team.id]);
  });

  it("a retry refused while the first attempt is in progress (409 IdempotencyKeyInProgress) is retried", async () => {
    onFirst("CreateTeam", {
      kind: "respond",
      status: 200,
      headers: retryNow,
      body: {
        data: null,
        errors: [{ message: "a request with this Idempotency-Key is still in progress", extensions: { code: "ConflictException", status: 409, reason: "IdempotencyKeyInProgress" } }],
      },
    });
    const { team } = await proxied.teams.create({ name: uniqueName("in-progress") });
    assert.equal(proxy.calls("CreateTeam").length, 2);
    assert.equal((await direct.teams.get(team.id)).id, team.id);
  });

  it("two calls get two keys", async () => {
    await proxied.teams.create({ name: uniqueName("a") });
    await proxied.teams.create({ name: uniqueName("b") });
    const keys = proxy.calls("CreateTeam").map((r) => r.headers["idempotency-key"]);
    assert.equal(keys.length, 2);
    assert.notEqual(keys[0], keys[1]);
    assert.equal(proxy.calls("ListTeams").length, 0);
    await proxied.teams.list().firstPage();
    assert.equal(proxy.calls("ListTeams")[0]?.headers["idempotency-key"], undefined, "queries carry no key");
  });
});

describe("SecretUnavailableError", () => {
  it("an API key created by the lost first attempt: its secret cannot come back", async () => {
    onFirst("CreateApiKey", { kind: "forwardThenRespond", status: 502, headers: retryNow, body: "bad gateway" });
    const name = uniqueName("lost-key");
    let caught: unknown;
    try {
      await proxied.apiKeys.create({ name, scopes: ["instances"] });
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof SecretUnavailableError, String(caught));
    assert.equal(caught.resourceType, "API key");
    const named = (await direct.apiKeys.list().toArray()).filter((k) => k.name === name);
    assert.equal(named.length, 1, "exactly one key was made");
    assert.equal(caught.resourceId, named[0]?.id);
    assert.equal(caught.idempotencyKey, proxy.calls("CreateApiKey")[0]?.headers["idempotency-key"]);
    assert.match(caught.message, new RegExp(caught.resourceId));
    await direct.apiKeys.revoke(caught.resourceId);
  });

  it("a generated SSH key whose private half was lost", async () => {
    onFirst("GenerateSshKey", { kind: "forwardThenDrop" });
    const name = uniqueName("lost-ssh");
    await assert.rejects(proxied.sshKeys.generate({ name }), (err: unknown) => {
      assert.ok(err instanceof SecretUnavailableError, String(err));
      assert.equal(err.resourceType, "SSH key");
      return true;
    });
    assert.equal((await direct.sshKeys.list().toArray()).filter((k) => k.name === name).length, 1);
  });

  it("a dry run through the same proxy is not a lost secret", async () => {
    onFirst("CreateApiKey", { kind: "forwardThenRespond", status: 502, headers: retryNow, body: "bad gateway" });
    const preview = await proxied.apiKeys.create({ name: uniqueName("preview"), scopes: ["instances"], dryRun: true });
    assert.equal(preview.dryRun, true);
    assert.equal(preview.key, null);
  });
});
