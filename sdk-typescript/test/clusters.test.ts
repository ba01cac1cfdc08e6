/** client.clusters through the SDK only, against a real server on loopback. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, NotFoundError, ValidationError, type ICGPU } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

let server: TestServer;
let alice: ICGPU;

before(async () => {
  server = await TestServer.start();
  const boot = await server.bootstrap(uniqueName("k8s"), "alice@example.com");
  alice = client(server.url, boot.api_key);
});

after(async () => {
  await server?.stop();
});

describe("clusters", () => {
  it("creates a cluster, waits until it runs, reads its kubeconfig and deletes it", async () => {
    assert.deepEqual(await alice.clusters.versions(), ["1.29", "1.30", "1.31"]);
    const dry = await alice.clusters.create({ name: "dry", dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.cluster.status, "PENDING");

    const { cluster, dryRun } = await alice.clusters.create({ name: "training-cluster", version: "1.31" });
    assert.equal(dryRun, false);
    assert.match(cluster.id, /^cls-/);
    assert.equal(cluster.version, "1.31");

    const running = await alice.clusters.waitRunning(cluster.id, { timeout: 30_000, interval: 100 });
    assert.equal(running.serverUrl, `https://${cluster.id}.clusters.127.0.0.1:6443`);
    const listed = [];
    for await (const c of alice.clusters.list({ maxResults: 1 })) listed.push(c.id);
    assert.deepEqual(listed, [cluster.id]);

    const kube = await alice.clusters.kubeconfig(cluster.id);
    assert.equal(kube.clusterId, cluster.id);
    assert.equal(kube.context, "training-cluster");
    assert.equal(kube.namespace, "default");
    assert.equal(kube.serverUrl, running.serverUrl);
    const token = kube.token;
    assert.ok(token !== null, "a token's kubeconfig");
    assert.match(token, /^icgpu-kc-/);
    assert.equal(kube.clientCertificateData, null); // a token's user has no client certificate
    assert.equal(kube.clientKeyData, null);
    assert.ok(kube.kubeconfig.includes(`current-context: "training-cluster"`));
    assert.ok(kube.kubeconfig.includes(`token: "${token}"`));
    assert.ok(Buffer.from(kube.certificateAuthorityData, "base64").toString().startsWith("-----BEGIN CERTIFICATE-----"));

    assert.equal((await alice.clusters.delete(cluster.id, { dryRun: true })).dryRun, true);
    const gone = await alice.clusters.delete(cluster.id);
    assert.equal(gone.cluster.status, "DELETING");
    await assert.rejects(alice.clusters.kubeconfig(cluster.id), NotFoundError);
    await assert.rejects(alice.clusters.delete(cluster.id), ConflictError);
    await assert.rejects(alice.clusters.get("cls-doesnotexist"), NotFoundError);
    await assert.rejects(alice.clusters.waitRunning(cluster.id, { timeout: 5_000, interval: 100 }));
  });

  it("refuses bad input with the field at fault and creates nothing", async () => {
    const cases: [Parameters<ICGPU["clusters"]["create"]>[0], string][] = [
      [{ name: "bad", version: "9.99" }, "version"],
      [{ name: "Not_A_Name" }, "name"],
      // A rule of the service (not of the input's shape) names the field as the service does, as for instances.
      [{ name: "bad", teamId: "team-doesnotexist" }, "team_id"],
    ];
    const before = [];
    for await (const c of alice.clusters.list()) before.push(c.id);
    for (const [params, field] of cases) {
      await assert.rejects(alice.clusters.create(params), (err: unknown) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.equal(err.field, field);
        if (field === "version") assert.match(err.message, /1\.29, 1\.30, 1\.31/);
        return true;
      });
    }
    await alice.clusters.create({ name: "twice" });
    await assert.rejects(alice.clusters.create({ name: "twice" }), ConflictError);
    const names = [];
    for await (const c of alice.clusters.list()) if (!before.includes(c.id)) names.push(c.name);
    assert.deepEqual(names, ["twice"]);
  });
});
