/** client.tokens, client.spendingAlerts and client.notifications through the SDK only, against a real server on loopback. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { NotFoundError, ValidationError, type ICGPU } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

let server: TestServer;

/** A client for the owner of a new tenant, and the tenant's name: every test starts with no tokens. */
async function tenant(): Promise<{ api: ICGPU; name: string }> {
  const name = uniqueName("tok");
  const boot = await server.bootstrap(name, "owner@example.com");
  return { api: client(server.url, boot.api_key), name };
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

before(async () => {
  server = await TestServer.start();
});

after(async () => {
  await server?.stop();
});

describe("tokens", () => {
  it("reads the balance, purchases an amount and a package, lists packages and usage", async () => {
    const { api, name } = await tenant();
    assert.deepEqual(await api.tokens.balance(), { balance: 0, reserved: 0, available: 0, updatedAt: null });
    const packages = await api.tokens.packages();
    assert.deepEqual(packages.map((p) => p.id), ["pkg-starter", "pkg-growth", "pkg-scale", "pkg-enterprise"]);
    const dry = await api.tokens.purchase({ amount: 50, dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.purchase.balance, 50);
    assert.equal((await api.tokens.balance()).balance, 0);
    const bought = await api.tokens.purchase({ amount: 1000 });
    assert.match(bought.purchase.id, /^tpur-/);
    assert.equal(bought.purchase.balance, 1000);
    const starter = await api.tokens.purchase({ packageId: "pkg-starter" });
    assert.equal(starter.purchase.amount, packages[0]!.tokens);
    assert.equal(starter.purchase.price, packages[0]!.price);
    await server.cli("admin", "tokens", "grant", "--tenant", name, "--amount", "25", "--note", "sdk test");
    const balance = await api.tokens.balance();
    assert.equal(balance.balance, 1025 + packages[0]!.tokens);
    assert.equal(balance.available, balance.balance);
    assert.deepEqual(await all(api.tokens.usage({ since: new Date(Date.now() - 60_000), model: "llama-3-8b" })), []);
  });

  it("refuses bad purchases and bad usage filters with the field named", async () => {
    const { api } = await tenant();
    for (const [params, field] of [[{ amount: 0 }, "amount"], [{}, "amount"], [{ packageId: "pkg-nope" }, "packageId"]] as const) {
      await assert.rejects(api.tokens.purchase(params), (err: unknown) =>
        err instanceof ValidationError && err.field === field);
    }
    await assert.rejects(all(api.tokens.usage({ since: "yesterday" })), (err: unknown) =>
      err instanceof ValidationError && err.field === "since");
    assert.equal((await api.tokens.balance()).balance, 0);
  });
});

describe("spending alerts", () => {
  it("creates, lists, gets, updates and deletes alerts; notifications start empty", async () => {
    const { api } = await tenant();
    await api.tokens.purchase({ amount: 1000 });
    const dry = await api.spendingAlerts.create({ name: "dry", threshold: 10, dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(await all(api.spendingAlerts.list()), []);
    const hook = (await api.spendingAlerts.create({ name: "Low balance warning", threshold: 500 })).spendingAlert;
    assert.match(hook.id, /^alert-/);
    assert.equal(hook.notifyVia, "WEBHOOK");
    assert.equal(hook.armed, true);
    const app = (await api.spendingAlerts.create({ name: "in app", threshold: 2000, notifyVia: "IN_APP" })).spendingAlert;
    assert.equal(app.armed, false); // the balance is already below it
    assert.deepEqual((await all(api.spendingAlerts.list({ maxResults: 1 }))).map((a) => a.id), [hook.id, app.id]);
    assert.equal((await api.spendingAlerts.get(app.id)).threshold, 2000);
    const updated = (await api.spendingAlerts.update(app.id, { threshold: 900 })).spendingAlert;
    assert.equal(updated.threshold, 900);
    assert.equal(updated.armed, true);
    await assert.rejects(api.spendingAlerts.update(app.id, { threshold: 0 }), (err: unknown) =>
      err instanceof ValidationError && err.field === "threshold");
    await assert.rejects(api.spendingAlerts.create({ name: "", threshold: 5 }), (err: unknown) =>
      err instanceof ValidationError && err.field === "name");
    assert.equal((await api.spendingAlerts.delete(hook.id)).spendingAlert.id, hook.id);
    await assert.rejects(api.spendingAlerts.get(hook.id), NotFoundError);
    assert.deepEqual(await all(api.notifications.list()), []);
  });
});
