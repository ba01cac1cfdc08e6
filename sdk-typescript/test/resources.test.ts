/** Every method of every namespace, through the SDK only, against a real server on loopback. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, NotFoundError, type ICGPU, type Instance, type InstanceStatus, type InstanceStatusEvent } from "../src/index.js";
import { client, sshPublicKey, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";
import { nextWithin, waitFor } from "./support/wait.js";

let server: TestServer;
let alice: ICGPU;
let tenant: string;

before(async () => {
  // One whole GPU, so that an interactive instance preempts a batch one (for requeue).
  server = await TestServer.start({ ICGPU_LOCAL_INVENTORY: "dedicated=1,mig=2x7,timesliced=2x4" });
  tenant = uniqueName("acme");
  const boot = await server.bootstrap(tenant, "alice@example.com");
  alice = client(server.url, boot.api_key);
});

after(async () => {
  await server?.stop();
});

async function statusOf(id: string): Promise<InstanceStatus> {
  return (await alice.instances.get(id)).status;
}

async function waitForStatus(id: string, status: InstanceStatus): Promise<Instance> {
  await waitFor(async () => (await statusOf(id)) === status, { timeoutMs: 20_000, what: `instance ${id} to be ${status}` });
  return alice.instances.get(id);
}

describe("gpuTiers and me", () => {
  it("lists GPU tiers without a credential", async () => {
    const tiers = await client(server.url, null).gpuTiers.list();
    const ids = tiers.map((t) => t.id);
    assert.ok(ids.includes("dedicated") && ids.includes("mig"), `tiers: ${ids.join(", ")}`);
    const dedicated = tiers.find((t) => t.id === "dedicated");
    assert.equal(dedicated?.capacity, 1);
    assert.equal(typeof dedicated?.pricePerHour, "number");
    assert.ok((dedicated?.batchPricePerHour ?? 0) < (dedicated?.pricePerHour ?? 0));
  });

  it("me() names the caller, its tenant and the API key in use", async () => {
    const me = await alice.me();
    assert.equal(me.email, "alice@example.com");
    assert.equal(me.tenant.name, tenant);
    assert.equal(me.credentialType, "api_key");
    assert.ok(me.apiKeyId);
    assert.ok(me.permissions.includes("write"));
  });
});

describe("sshKeys", () => {
  it("uploads, gets, lists, generates and deletes keys", async () => {
    const publicKey = sshPublicKey();
    const { sshKey: uploaded, dryRun } = await alice.sshKeys.create({ name: uniqueName("laptop"), publicKey });
    assert.equal(dryRun, false);
    assert.equal(uploaded.keyType, "ssh-ed25519");
    assert.match(uploaded.fingerprint, /^SHA256:/);
    assert.deepEqual(await alice.sshKeys.get(uploaded.id), uploaded);

    const generated = await alice.sshKeys.generate({ name: uniqueName("generated") });
    assert.match(generated.privateKey ?? "", /BEGIN OPENSSH PRIVATE KEY/);
    assert.match(generated.sshKey.publicKey, /^ssh-ed25519 /);

    const preview = await alice.sshKeys.generate({ name: uniqueName("preview"), dryRun: true });
    assert.equal(preview.privateKey, null);
    assert.equal(preview.dryRun, true);
    assert.equal(preview.valid, true);

    const ids = (await alice.sshKeys.list().toArray()).map((k) => k.id);
    assert.ok(ids.includes(uploaded.id) && ids.includes(generated.sshKey.id));
    assert.ok(!ids.includes(preview.sshKey.id), "a dry run stores nothing");

    const deleted = await alice.sshKeys.delete(uploaded.id);
    assert.equal(deleted.sshKey.id, uploaded.id);
    await assert.rejects(alice.sshKeys.get(uploaded.id), NotFoundError);
  });
});

describe("sshKeyGroups", () => {
  it("creates a group, adds and removes a key, lists, gets and deletes it", async () => {
    const { sshKey: key } = await alice.sshKeys.create({ name: uniqueName("member-key"), publicKey: sshPublicKey() });
    const { sshKeyGroup: group } = await alice.sshKeyGroups.create({ name: uniqueName("ops"), description: "the ops team" });
    assert.deepEqual(group.keys, []);
    assert.equal(group.description, "the ops team");

    const { sshKeyGroup: withKey } = await alice.sshKeyGroups.addKey(group.id, key.id);
    assert.deepEqual(withKey.keys.map((k) => k.id), [key.id]);
    assert.deepEqual((await alice.sshKeyGroups.get(group.id)).keys.map((k) => k.id), [key.id]);
    assert.ok((await alice.sshKeyGroups.list().toArray()).some((g) => g.id === group.id));

    const { sshKeyGroup: without } = await alice.sshKeyGroups.removeKey(group.id, key.id);
    assert.deepEqual(without.keys, []);

    await alice.sshKeyGroups.delete(group.id);
    await assert.rejects(alice.sshKeyGroups.get(group.id), NotFoundError);
    assert.equal((await alice.sshKeys.get(key.id)).id, key.id, "the group's keys stay");
  });
});

describe("instances", () => {
  it("create (dry run and real), get, rename, watch a stop, start, delete", async () => {
    const sshKey = sshPublicKey();
    const name = uniqueName("train");
    const preview = await alice.instances.create({ name, tier: "mig", sshKey, storageGb: 20, dryRun: true });
    assert.equal(preview.dryRun, true);
    assert.equal(preview.instance.name, name);
    assert.ok(!(await alice.instances.list().toArray()).some((i) => i.name === name), "a dry run creates nothing");

    const { instance: created, dryRun } = await alice.instances.create({ name, tier: "mig", sshKey, storageGb: 20 });
    assert.equal(dryRun, false);
    assert.equal(created.storageGb, 20);
    assert.equal(created.tierInfo.id, "mig");
    assert.equal(created.owner?.email, "alice@example.com");
    const running = await waitForStatus(created.id, "RUNNING");
    assert.ok(running.sshHost);
    assert.equal(typeof running.sshPort, "number");

    const { instance: renamed } = await alice.instances.update(created.id, { name: `${name}-renamed` });
    assert.equal(renamed.name, `${name}-renamed`);

    const watch = alice.instances.watch(created.id);
    const seen: InstanceStatusEvent[] = [await nextWithin(watch, 10_000, "the current status")];
    assert.equal(seen[0]?.status, "RUNNING");
    assert.equal(seen[0]?.instanceId, created.id);
    const { instance: stopping } = await alice.instances.stop(created.id);
    assert.ok(["STOPPING", "STOPPED"].includes(stopping.status), stopping.status);
    for (let i = 0; i < 10 && seen.at(-1)?.status !== "STOPPED"; i++) {
      seen.push(await nextWithin(watch, 10_000, "STOPPED"));
    }
    assert.equal(seen.at(-1)?.status, "STOPPED", JSON.stringify(seen));
    assert.equal(seen.at(-1)?.previousStatus, "STOPPING");
    await watch.return();

    await alice.instances.start(created.id);
    await waitForStatus(created.id, "RUNNING");
    const deleted = await alice.instances.delete(created.id);
    assert.equal(deleted.instance.id, created.id);
    await waitForStatus(created.id, "TERMINATED");
    assert.ok(!(await alice.instances.list().toArray()).some((i) => i.id === created.id), "terminated instances are not listed");
    assert.ok((await alice.instances.list({ status: "TERMINATED" }).toArray()).some((i) => i.id === created.id));
  });

  it("watch ends by itself when the instance is terminated", async () => {
    const { instance: created } = await alice.instances.create({ name: uniqueName("short"), tier: "timesliced", sshKey: sshPublicKey() });
    const watch = alice.instances.watch(created.id);
    const statuses: InstanceStatus[] = [(await nextWithin(watch, 10_000, "the current status")).status];
    await alice.instances.delete(created.id);
    let done = false;
    for (let i = 0; i < 20 && !done; i++) {
      const next = await Promise.race([watch.next(), new Promise<never>((_, fail) => setTimeout(() => fail(new Error("watch did not end")), 10_000).unref())]);
      if (next.done) done = true;
      else statuses.push(next.value.status);
    }
    assert.ok(done, `the watch ended: ${statuses.join(" -> ")}`);
    assert.equal(statuses.at(-1), "TERMINATED");
  });

  it("list walks every page; firstPage and nextToken page by hand", async () => {
    const prefix = uniqueName("page");
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await alice.instances.create({ name: `${prefix}-${i}`, tier: "timesliced", sshKey: sshPublicKey(), workloadType: "BATCH" })).instance.id);
    }
    const listing = alice.instances.list({ maxResults: 2 });
    const pages = [];
    for await (const page of listing.pages()) pages.push(page);
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    assert.ok(pages.every((p) => p.items.length <= 2));
    assert.equal(pages.at(-1)?.nextToken, null);
    const ids: string[] = [];
    for await (const inst of alice.instances.list({ maxResults: 2 })) ids.push(inst.id);
    assert.equal(new Set(ids).size, ids.length, "no item twice");
    assert.deepEqual(ids, pages.flatMap((p) => p.items.map((i) => i.id)));
    for (const id of made) assert.ok(ids.includes(id));

    const first = await listing.firstPage();
    assert.equal(first.items.length, 2);
    assert.ok(first.nextToken);
    const second = await alice.instances.list({ maxResults: 2, nextToken: first.nextToken }).firstPage();
    assert.deepEqual(second.items.map((i) => i.id), pages[1]?.items.map((i) => i.id));

    for (const id of made) await alice.instances.delete(id);
  });

  it("requeue puts a preempted batch instance back in the queue", async () => {
    const { instance: batch } = await alice.instances.create({ name: uniqueName("batch"), tier: "dedicated", sshKey: sshPublicKey(), workloadType: "BATCH" });
    await waitForStatus(batch.id, "RUNNING");
    const { instance: interactive } = await alice.instances.create({ name: uniqueName("urgent"), tier: "dedicated", sshKey: sshPublicKey() });
    await waitForStatus(batch.id, "PREEMPTED");
    const { instance: requeued } = await alice.instances.requeue(batch.id);
    assert.equal(requeued.id, batch.id);
    assert.equal(requeued.status, "PENDING");
    await alice.instances.delete(interactive.id);
    await waitForStatus(batch.id, "RUNNING");
    await alice.instances.delete(batch.id);
  });
});

describe("teams", () => {
  it("create, get, list, my, members by email and by account id, update and remove a member", async () => {
    const bobToken = await server.token(tenant, "bob@example.com");
    const carolToken = await server.token(tenant, "carol@example.com");
    const bob = await client(server.url, bobToken).me();
    const carol = await client(server.url, carolToken).me();

    const { team } = await alice.teams.create({ name: uniqueName("research"), description: "GPU research" });
    assert.equal(team.role, "OWNER");
    assert.deepEqual(await alice.teams.get(team.id), team);
    assert.ok((await alice.teams.list().toArray()).some((t) => t.id === team.id));
    assert.ok((await alice.teams.my().toArray()).some((t) => t.id === team.id));
    assert.ok(!(await client(server.url, bobToken).teams.my().toArray()).some((t) => t.id === team.id));

    const { member: byEmail } = await alice.teams.addMember(team.id, { email: "bob@example.com", role: "VIEWER" });
    assert.equal(byEmail.accountId, bob.id);
    assert.equal(byEmail.role, "VIEWER");
    const { member: byId } = await alice.teams.addMember(team.id, { accountId: carol.id });
    assert.equal(byId.email, "carol@example.com");
    assert.equal(byId.role, "MEMBER");

    const members = await alice.teams.members(team.id).toArray();
    assert.deepEqual(members.map((m) => m.email).sort(), ["alice@example.com", "bob@example.com", "carol@example.com"]);

    const { member: promoted } = await alice.teams.updateMember(team.id, byId.id, { role: "ADMIN" });
    assert.equal(promoted.role, "ADMIN");
    const { member: removed } = await alice.teams.removeMember(team.id, byEmail.id);
    assert.equal(removed.id, byEmail.id);
    const left = await alice.teams.members(team.id, { maxResults: 1 }).toArray();
    assert.deepEqual(left.map((m) => m.email).sort(), ["alice@example.com", "carol@example.com"]);
    assert.ok((await client(server.url, bobToken).teams.list().toArray()).some((t) => t.id === team.id && t.role === null));
  });
});

describe("apiKeys", () => {
  it("create shows the secret once; get, list, revoke", async () => {
    const name = uniqueName("ci");
    const created = await alice.apiKeys.create({ name, scopes: ["instances"], permissions: ["read"], expiresInDays: 7 });
    assert.match(created.key ?? "", /^sk-ic-/);
    assert.ok(created.key?.startsWith(created.apiKey.prefix));
    assert.deepEqual(created.apiKey.permissions, ["read"]);
    assert.ok(created.apiKey.expiresAt);
    assert.deepEqual(await alice.apiKeys.get(created.apiKey.id), created.apiKey);
    assert.ok((await alice.apiKeys.list().toArray()).some((k) => k.id === created.apiKey.id));

    const ci = client(server.url, created.key);
    assert.equal((await ci.me()).apiKeyId, created.apiKey.id);
    const revoked = await alice.apiKeys.revoke(created.apiKey.id);
    assert.ok(revoked.apiKey.revokedAt);
    await assert.rejects(alice.apiKeys.get(created.apiKey.id), NotFoundError);
  });
});

describe("events", () => {
  it("stream delivers events on your resources, filtered by type", async () => {
    const stream = alice.events.stream({ types: ["instance.*"] });
    // The socket subscribes on the first next(): ask for it, then make instances (one every
    // 250 ms, bounded) until an event arrives, so that none is made before the subscription.
    let arrived = false;
    const first = nextWithin(stream, 15_000, "an instance event").finally(() => (arrived = true));
    const made: Instance[] = [];
    for (let i = 0; i < 20 && !arrived; i++) {
      made.push((await alice.instances.create({ name: uniqueName("evented"), tier: "timesliced", sshKey: sshPublicKey() })).instance);
      await Promise.race([first.catch(() => undefined), new Promise((done) => setTimeout(done, 250))]);
    }
    const event = await first;
    assert.match(event.type, /^instance\./);
    assert.equal(event.resourceType, "instance");
    assert.ok(made.some((i) => i.id === event.resourceId));
    await stream.return();
    for (const inst of made) await alice.instances.delete(inst.id);
  });
});
