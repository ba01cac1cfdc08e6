/** Every error class the server produces today (400, 401, 403, 404, 409), mapped from real responses. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  APIError,
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
  type ICGPU,
} from "../src/index.js";
import { client, sshPublicKey, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";
import { nextWithin, waitFor } from "./support/wait.js";

let server: TestServer;
let alice: ICGPU;
let aliceKey: string;
let mallory: ICGPU;

before(async () => {
  server = await TestServer.start();
  const [a, m] = await Promise.all([
    server.bootstrap(uniqueName("errs"), "alice@example.com"),
    server.bootstrap(uniqueName("other"), "mallory@example.com"),
  ]);
  aliceKey = a.api_key;
  alice = client(server.url, aliceKey);
  mallory = client(server.url, m.api_key);
});

after(async () => {
  await server?.stop();
});

/** Asserts the call fails with `cls` and the given fields; gives the error. */
async function failsWith<E extends APIError>(call: Promise<unknown>, cls: new (...args: never[]) => E, fields: Partial<Pick<E, "status" | "type" | "code" | "field">>): Promise<E> {
  let caught: unknown;
  try {
    await call;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${String(caught)}`);
  assert.ok(caught instanceof APIError);
  for (const [name, value] of Object.entries(fields)) {
    assert.equal((caught as unknown as Record<string, unknown>)[name], value, `${name} of ${caught.message}`);
  }
  assert.match(caught.requestId ?? "", /\S/, "a request id");
  assert.ok(caught.message.length > 0);
  return caught;
}

describe("400 ValidationError", () => {
  it("a nextToken the server did not issue names its field", async () => {
    await failsWith(alice.instances.list({ nextToken: "not-a-token" }).firstPage(), ValidationError, {
      status: 400,
      type: "ValidationException",
      code: "InvalidPaginationToken",
      field: "nextToken",
    });
  });

  it("an input out of range names the input field", async () => {
    const err = await failsWith(alice.instances.create({ name: uniqueName("big"), tier: "mig", sshKey: sshPublicKey(), storageGb: -1 }), ValidationError, {
      status: 400,
      type: "ValidationException",
    });
    assert.match(err.field ?? "", /storageGb|storage_gb/);
  });

  it("a control character in a name is refused, nothing created", async () => {
    const err = await failsWith(alice.teams.create({ name: "bad\u0001name" }), ValidationError, { status: 400 });
    assert.match(err.field ?? "", /name/);
    assert.ok(!(await alice.teams.list().toArray()).some((t) => t.name.startsWith("bad")));
  });
});

describe("401 AuthenticationError", () => {
  it("an unknown API key is refused before execution (HTTP 401)", async () => {
    await failsWith(client(server.url, "sk-ic-not-a-real-key").me(), AuthenticationError, { status: 401, type: "AuthenticationError" });
  });

  it("no credential: a field that needs one errors with MissingCredentials", async () => {
    await failsWith(client(server.url, null).instances.list().firstPage(), AuthenticationError, {
      status: 401,
      code: "MissingCredentials",
    });
  });

  it("a subscription with a bad credential is refused (socket closed 4403)", async () => {
    const watch = client(server.url, "sk-ic-not-a-real-key").instances.watch("i-whatever");
    let caught: unknown;
    try {
      await nextWithin(watch, 10_000, "the refusal");
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof AuthenticationError, String(caught));
    assert.equal(caught.status, 401);
  });

  it("a revoked key stops working at once", async () => {
    const { key, apiKey } = await alice.apiKeys.create({ name: uniqueName("short-lived"), scopes: ["instances"] });
    const short = client(server.url, key);
    await short.instances.list().firstPage();
    await alice.apiKeys.revoke(apiKey.id);
    await failsWith(short.instances.list().firstPage(), AuthenticationError, { status: 401 });
  });
});

describe("403 PermissionDeniedError", () => {
  it("a read-only key cannot create", async () => {
    const { key } = await alice.apiKeys.create({ name: uniqueName("reader"), scopes: ["instances"], permissions: ["read"] });
    const reader = client(server.url, key);
    await reader.instances.list().firstPage();
    await failsWith(reader.instances.create({ name: uniqueName("nope"), tier: "mig", sshKey: sshPublicKey() }), PermissionDeniedError, {
      status: 403,
      type: "AccessDeniedException",
    });
  });
});

describe("404 NotFoundError", () => {
  it("an unknown instance, another tenant's instance", async () => {
    await failsWith(alice.instances.get("i-doesnotexist"), NotFoundError, { status: 404, type: "ResourceNotFoundException" });
    const { instance } = await alice.instances.create({ name: uniqueName("mine"), tier: "timesliced", sshKey: sshPublicKey() });
    await failsWith(mallory.instances.get(instance.id), NotFoundError, { status: 404 });
    await failsWith(mallory.instances.delete(instance.id), NotFoundError, { status: 404 });
    assert.notEqual((await alice.instances.get(instance.id)).status, "TERMINATED");
    await alice.instances.delete(instance.id);
  });

  it("is not retried", async () => {
    let calls = 0;
    const counting = client(server.url, aliceKey, {
      maxRetries: 3,
      fetch: (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    await assert.rejects(counting.sshKeys.get("sshk-doesnotexist"), NotFoundError);
    assert.equal(calls, 1);
  });
});

describe("409 ConflictError", () => {
  it("a refused state transition", async () => {
    const { instance } = await alice.instances.create({ name: uniqueName("conflict"), tier: "timesliced", sshKey: sshPublicKey() });
    await waitFor(async () => (await alice.instances.get(instance.id)).status === "RUNNING", { what: "RUNNING" });
    await failsWith(alice.instances.start(instance.id), ConflictError, { status: 409, type: "ConflictException", code: "InvalidStateTransition" });
    await failsWith(alice.instances.requeue(instance.id), ConflictError, { status: 409 });
    await alice.instances.delete(instance.id);
  });

  it("the same Idempotency-Key with other parameters", async () => {
    const idempotencyKey = `key-${uniqueName("idem")}`;
    const { team } = await alice.teams.create({ name: uniqueName("first") }, { idempotencyKey });
    const again = await alice.teams.create({ name: team.name }, { idempotencyKey });
    assert.equal(again.team.id, team.id, "the same call with the same key answers the first result");
    await failsWith(alice.teams.create({ name: uniqueName("second") }, { idempotencyKey }), ConflictError, { status: 409, code: "IdempotencyKeyReused" });
  });
});
