/** client.slurmEnvironments through the SDK only, against a real server on loopback. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, NotFoundError, ValidationError, type ICGPU } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

let server: TestServer;
let alice: ICGPU;

before(async () => {
  server = await TestServer.start({ ICGPU_LOCAL_INVENTORY: "dedicated=2,mig=1x7,timesliced=1x4" });
  const boot = await server.bootstrap(uniqueName("hpc"), "alice@example.com");
  alice = client(server.url, boot.api_key);
});

after(async () => {
  await server?.stop();
});

describe("slurmEnvironments", () => {
  it("creates, waits until ready, lists, gets and deletes an environment", async () => {
    const dry = await alice.slurmEnvironments.create({ name: "dry", maxNodes: 2, gpuPerNode: 1, dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.slurmEnvironment.status, "PENDING");

    const { slurmEnvironment: env, dryRun } = await alice.slurmEnvironments.create({
      name: "distributed-training", maxNodes: 2, gpuPerNode: 1,
    });
    assert.equal(dryRun, false);
    assert.match(env.id, /^slurm-/);
    assert.equal(env.gpuTier, "dedicated");
    assert.equal(env.totalGpus, 2);

    const ready = await alice.slurmEnvironments.waitReady(env.id, { timeout: 30_000, interval: 100 });
    assert.equal(ready.sshUser, "gpuuser");
    assert.ok(ready.sshHost && ready.sshPort);
    assert.equal(ready.gpusPlaced, 2);

    const listed = [];
    for await (const e of alice.slurmEnvironments.list({ maxResults: 1 })) listed.push(e.id);
    assert.deepEqual(listed, [env.id]);
    assert.equal((await alice.slurmEnvironments.get(env.id)).status, "READY");

    assert.equal((await alice.slurmEnvironments.delete(env.id, { dryRun: true })).dryRun, true);
    const gone = await alice.slurmEnvironments.delete(env.id);
    assert.equal(gone.slurmEnvironment.status, "TERMINATED");
    await assert.rejects(alice.slurmEnvironments.delete(env.id), ConflictError);
    await assert.rejects(alice.slurmEnvironments.get("slurm-doesnotexist"), NotFoundError);
    await assert.rejects(alice.slurmEnvironments.waitReady(env.id, { timeout: 5_000, interval: 100 }));
  });

  it("refuses bad input with the field at fault and creates nothing", async () => {
    const cases: [Parameters<ICGPU["slurmEnvironments"]["create"]>[0], string][] = [
      [{ name: "bad", maxNodes: 0, gpuPerNode: 1 }, "maxNodes"],
      [{ name: "bad", maxNodes: 1, gpuPerNode: 9 }, "gpuPerNode"],
      [{ name: "bad", maxNodes: 1, gpuPerNode: 1, gpuTier: "h100" }, "gpuTier"],
      [{ name: "bad", maxNodes: 3, gpuPerNode: 1 }, "max_nodes"],
    ];
    for (const [params, field] of cases) {
      await assert.rejects(alice.slurmEnvironments.create(params), (err: unknown) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.equal(err.field, field);
        return true;
      });
    }
    const listed = [];
    for await (const e of alice.slurmEnvironments.list()) listed.push(e.id);
    assert.deepEqual(listed, []);
  });
});
