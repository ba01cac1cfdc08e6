/** client.vmDisks and client.quotas through the SDK, against a real server on loopback (the VM a
 * disk is attached to is made over REST: the VM namespace is another family's). */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, NotFoundError, ValidationError, type ICGPU } from "../src/index.js";
import { client, sshPublicKey, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

let server: TestServer;
let alice: ICGPU;
let aliceKey: string;

async function newVm(name: string): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/vms`, {
    method: "POST",
    headers: { Authorization: `Bearer ${aliceKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, templateId: "tpl-ubuntu-cpu", diskGb: 20, sshKey: sshPublicKey() }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  return (JSON.parse(text) as { id: string }).id;
}

before(async () => {
  server = await TestServer.start({ ICGPU_TENANT_STORAGE_QUOTA_GB: "2000", ICGPU_TENANT_GPU_LIMIT: "3" });
  const boot = await server.bootstrap(uniqueName("disks"), "alice@example.com");
  aliceKey = boot.api_key;
  alice = client(server.url, boot.api_key);
});

after(async () => {
  await server?.stop();
});

describe("vmDisks and quotas", () => {
  it("creates, attaches, resizes, detaches and deletes a disk, with the quota following", async () => {
    const base = await alice.quotas.get();
    assert.deepEqual(base.storage, { limitGb: 2000, usedGb: 0, remainingGb: 2000 });
    assert.equal(base.gpus.limit, 3);

    const dry = await alice.vmDisks.create({ name: "dry", sizeGb: 10, dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.vmDisk.status, "AVAILABLE");

    const { vmDisk: disk, dryRun } = await alice.vmDisks.create({ name: "data-volume", sizeGb: 500 });
    assert.equal(dryRun, false);
    assert.match(disk.id, /^disk-/);
    assert.equal(disk.vmId, null);
    const vmId = await newVm("ml-workstation");
    assert.equal((await alice.quotas.get()).storage.usedGb, 520);

    const attached = (await alice.vmDisks.attach(disk.id, { vmId })).vmDisk;
    assert.equal(attached.status, "ATTACHED");
    assert.equal(attached.vmId, vmId);
    const onVm = [];
    for await (const d of alice.vmDisks.list({ vmId })) onVm.push(d.id);
    assert.deepEqual(onVm, [disk.id]);

    assert.equal((await alice.vmDisks.resize(disk.id, { sizeGb: 1000 })).vmDisk.sizeGb, 1000);
    assert.equal((await alice.quotas.get()).storage.usedGb, 1020);
    await assert.rejects(alice.vmDisks.resize(disk.id, { sizeGb: 100 }),
      (err: unknown) => err instanceof ValidationError && err.field === "size_gb" && err.code === "ShrinkNotAllowed");
    await assert.rejects(alice.vmDisks.delete(disk.id),
      (err: unknown) => err instanceof ConflictError && err.code === "DiskAttached");
    const other = await newVm("other");
    await assert.rejects(alice.vmDisks.attach(disk.id, { vmId: other }),
      (err: unknown) => err instanceof ConflictError && err.code === "DiskAlreadyAttached");

    assert.equal((await alice.vmDisks.detach(disk.id)).vmDisk.vmId, null);
    assert.equal((await alice.vmDisks.delete(disk.id, { dryRun: true })).vmDisk.status, "DELETED");
    assert.equal((await alice.vmDisks.get(disk.id)).status, "AVAILABLE");
    assert.equal((await alice.vmDisks.delete(disk.id)).vmDisk.status, "DELETED");
    const left = [];
    for await (const d of alice.vmDisks.list()) left.push(d.id);
    assert.deepEqual(left, []);
    assert.equal((await alice.quotas.get()).storage.usedGb, 40);
    await assert.rejects(alice.vmDisks.get("disk-doesnotexist"), NotFoundError);
    await assert.rejects(alice.vmDisks.create({ name: "huge", sizeGb: 5000 }),
      (err: unknown) => err instanceof ConflictError && err.code === "StorageQuotaExceeded");
  });

  it("pages through disks", async () => {
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await alice.vmDisks.create({ name: uniqueName("p"), sizeGb: 1 })).vmDisk.id);
    const seen = [];
    for await (const d of alice.vmDisks.list({ maxResults: 2 })) seen.push(d.id);
    assert.deepEqual(seen, ids);
  });

  it("counts instances in the GPU limit", async () => {
    const before = (await alice.quotas.get()).gpus;
    assert.equal(before.used, 0);
    for (let i = 0; i < 3; i += 1) {
      await alice.instances.create({ name: uniqueName("gpu"), tier: "mig", sshKey: sshPublicKey() });
    }
    const gpus = (await alice.quotas.get()).gpus;
    assert.equal(gpus.used, 3);
    assert.equal(gpus.remaining, 0);
    assert.equal(gpus.byFamily.find((f) => f.family === "instances")?.used, 3);
    await assert.rejects(alice.instances.create({ name: "fourth", tier: "mig", sshKey: sshPublicKey() }),
      (err: unknown) => err instanceof ConflictError && err.code === "GpuQuotaExceeded");
  });
});
