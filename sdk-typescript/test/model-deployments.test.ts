/** client.modelDeployments through the SDK only, against a real server on loopback. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, NotFoundError, ValidationError, type ICGPU, type ModelDeployParams } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

const TOKEN = "hf_tsSdkSecret_5c1e";

let server: TestServer;

/** A client for the owner of a new tenant: every test starts with no deployment. */
async function tenant(): Promise<ICGPU> {
  const boot = await server.bootstrap(uniqueName("mdl"), "owner@example.com");
  return client(server.url, boot.api_key);
}

async function names(iterable: AsyncIterable<{ name: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.name);
  return out;
}

before(async () => {
  server = await TestServer.start();
});

after(async () => {
  await server?.stop();
});

describe("modelDeployments", () => {
  it("deploys, lists, gets, scales, stops and deletes a deployment by name, never showing the token", async () => {
    const api = await tenant();
    const models = api.modelDeployments;
    const seen: unknown[] = [];
    const dry = await models.deploy({ name: "my-llama", model: "meta-llama/Llama-3.1-8B-Instruct", dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(await names(models.list()), [], "a dry run writes nothing");

    const made = await models.deploy({
      name: "my-llama", model: "meta-llama/Llama-3.1-8B-Instruct", engine: "vllm", minReplicas: 0, maxReplicas: 2,
      resourceProfile: "nvidia-gpu-dedicated", huggingfaceToken: TOKEN,
    });
    seen.push(made);
    const d = made.modelDeployment;
    assert.match(d.id, /^mdl-/);
    assert.equal(d.status, "scaled_to_zero");
    assert.equal(d.gpuTier, "dedicated");
    assert.equal(d.upstream, "dev_engine");
    assert.equal(d.huggingfaceTokenSet, true);
    assert.equal((await models.get("my-llama")).id, d.id);
    assert.deepEqual(await names(models.list()), ["my-llama"]);

    const scaled = await models.scale("my-llama", { maxReplicas: 3 });
    assert.deepEqual([scaled.modelDeployment.minReplicas, scaled.modelDeployment.maxReplicas], [0, 3]);
    const stopped = await models.stop("my-llama");
    assert.equal(stopped.modelDeployment.status, "stopped");
    seen.push(scaled, stopped, await models.get("my-llama"), await models.list().toArray());
    const gone = await models.delete("my-llama");
    assert.equal(gone.modelDeployment.status, "deleted");
    seen.push(gone);
    await assert.rejects(models.get("my-llama"), NotFoundError);
    assert.ok(!JSON.stringify(seen).includes(TOKEN));
  });

  it("maps bad input and conflicts to their error classes", async () => {
    const models = (await tenant()).modelDeployments;
    const bad: [Partial<ModelDeployParams>, string][] = [
      [{ minReplicas: 3, maxReplicas: 1 }, "minReplicas"],
      [{ resourceProfile: "tpu" }, "resourceProfile"],
      [{ engine: "tgi" }, "engine"],
    ];
    for (const [change, field] of bad) {
      await assert.rejects(models.deploy({ name: "ok", model: "a/b", ...change }),
        (err: unknown) => err instanceof ValidationError && err.field === field);
    }
    await assert.rejects(models.deploy({ name: "llama-3-8b", model: "a/b" }), ConflictError);
    await models.deploy({ name: "taken", model: "a/b" });
    await assert.rejects(models.deploy({ name: "taken", model: "c/d" }), ConflictError);
    await assert.rejects(models.scale("taken", { minReplicas: 5 }), ValidationError);
    await assert.rejects(models.stop("nobody"), NotFoundError);
    assert.deepEqual(await names(models.list()), ["taken"]);
  });

  it("reads the model catalogue", async () => {
    const catalogue = await (await tenant()).modelDeployments.catalogue();
    const llama = catalogue.find((m) => m.alias === "llama-3-8b");
    assert.ok(llama !== undefined);
    assert.equal(llama.kind, "chat");
    assert.ok(llama.contextLength > 0 && llama.tokenMultiplier > 0);
    assert.equal(catalogue.find((m) => m.alias === "bge-large-en-v1.5")?.kind, "embedding");
  });
});
