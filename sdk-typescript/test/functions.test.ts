/** client.functions through the SDK only, against a real server on loopback (runs execute on the test host). */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, ICGPUError, NotFoundError, ValidationError, type FunctionCreateParams, type ICGPU } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

/** Reads `{"n": ...}` on stdin and prints it back with the secret variable S and the plain one P. */
const ECHO =
  "python3 -c 'import json,os,sys; d=json.load(sys.stdin); " +
  "print(json.dumps({\"n\": d[\"n\"], \"s\": os.environ[\"S\"], \"p\": os.environ[\"P\"]}))'";
const SECRET = "hidden-value-7f3a";
const WAIT = { timeout: 30_000, interval: 100 };

let server: TestServer;

/** A client for the owner of a new tenant: every test starts with no function. */
async function tenant(): Promise<ICGPU> {
  const boot = await server.bootstrap(uniqueName("fn"), "owner@example.com");
  return client(server.url, boot.api_key);
}

async function ids(iterable: AsyncIterable<{ id: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.id);
  return out;
}

before(async () => {
  server = await TestServer.start();
});

after(async () => {
  await server?.stop();
});

describe("functions", () => {
  it("creates a function, runs it with an input, waits until it succeeded and reads its output", async () => {
    const api = await tenant();
    const fns = api.functions;
    const { function: fn, dryRun, valid } = await fns.create({
      name: "classifier", image: "registry.gpu.local/t/c:v1", entrypoint: ECHO, gpuTier: "mig",
      timeoutSeconds: 60, envVars: { P: "plain" }, secretEnvVars: { S: SECRET },
    });
    assert.equal(dryRun, false);
    assert.equal(valid, true);
    assert.match(fn.id, /^fn-/);
    assert.equal(fn.status, "active");
    assert.equal(fn.gpuTier, "mig");
    assert.equal(fn.timeoutSeconds, 60);
    assert.deepEqual(fn.envVars, { P: "plain" });
    assert.deepEqual(fn.secretEnvVarNames, ["S"]);
    assert.equal((await fns.get(fn.id)).name, "classifier");
    assert.deepEqual(await ids(fns.list()), [fn.id]);

    const queued = await fns.run(fn.id, { n: 3 });
    assert.equal(queued.dryRun, false);
    assert.match(queued.run.id, /^run-/);
    assert.equal(queued.run.functionId, fn.id);
    assert.deepEqual(queued.run.input, { n: 3 });
    assert.ok(["QUEUED", "RUNNING"].includes(queued.run.status), queued.run.status);

    const done = await fns.waitRun(queued.run.id, WAIT);
    assert.equal(done.status, "SUCCEEDED", `${done.statusReason} ${done.error} ${done.logs}`);
    // The secret reaches the run's environment (the entrypoint prints it back on purpose).
    assert.deepEqual(done.output, { n: 3, s: SECRET, p: "plain" });
    assert.equal(done.exitCode, 0);
    assert.ok(done.startedAt !== null && done.finishedAt !== null);
    assert.ok(done.cost !== null && done.cost >= 0);
    assert.ok(done.durationSeconds !== null && done.durationSeconds >= 0);
    assert.equal((await fns.getRun(done.id)).status, "SUCCEEDED");
    assert.deepEqual(await ids(fns.runs(fn.id, { status: "SUCCEEDED" })), [done.id]);
    assert.deepEqual(await ids(fns.runs(fn.id, { status: "FAILED" })), []);

    // A failing entrypoint ends FAILED with its exit code.
    const updated = await fns.update(fn.id, { entrypoint: "echo broken >&2; exit 3" });
    assert.equal(updated.function.entrypoint, "echo broken >&2; exit 3");
    const failed = await fns.waitRun((await fns.run(fn.id)).run.id, WAIT);
    assert.equal(failed.status, "FAILED");
    assert.equal(failed.exitCode, 3);
    assert.match(failed.logs ?? "", /broken/);

    // A long run is cancelled; cancelling it again is a conflict.
    await fns.update(fn.id, { entrypoint: "sleep 60" });
    const slow = (await fns.run(fn.id)).run;
    const cancelled = await fns.cancelRun(slow.id);
    assert.equal(cancelled.dryRun, false);
    assert.equal(cancelled.run.status, "CANCELLED");
    assert.equal((await fns.waitRun(slow.id, WAIT)).status, "CANCELLED");
    await assert.rejects(fns.cancelRun(slow.id), ConflictError);

    const gone = await fns.delete(fn.id);
    assert.equal(gone.function.status, "deleted");
    assert.deepEqual(await ids(fns.list()), []);
    assert.equal((await fns.getRun(done.id)).id, done.id, "runs stay readable after the function is deleted");
    await assert.rejects(fns.run(fn.id), ConflictError);
  });

  it("never returns secret env var values: create, get, list, update and delete show their names only", async () => {
    const api = await tenant();
    const fns = api.functions;
    const seen: unknown[] = [];
    const made = await fns.create({
      name: "secretive", image: "a/b:1", entrypoint: "true", secretEnvVars: { TOKEN: SECRET, KEY: `${SECRET}-2` },
    });
    seen.push(made);
    const fn = made.function;
    assert.deepEqual([...fn.secretEnvVarNames].sort(), ["KEY", "TOKEN"]);
    seen.push(await fns.get(fn.id), await fns.list().toArray());
    const dry = await fns.update(fn.id, { secretEnvVars: { OTHER: SECRET }, dryRun: true });
    assert.deepEqual(dry.function.secretEnvVarNames, ["OTHER"]);
    seen.push(dry);
    assert.deepEqual([...(await fns.get(fn.id)).secretEnvVarNames].sort(), ["KEY", "TOKEN"], "a dry run changes nothing");
    const replaced = await fns.update(fn.id, { secretEnvVars: { ONLY: SECRET } });
    assert.deepEqual(replaced.function.secretEnvVarNames, ["ONLY"]);
    seen.push(replaced);
    const run = await fns.waitRun((await fns.run(fn.id)).run.id, WAIT);
    assert.equal(run.status, "SUCCEEDED");
    seen.push(run, await fns.runs(fn.id).toArray());
    const cleared = await fns.update(fn.id, { secretEnvVars: {} });
    assert.deepEqual(cleared.function.secretEnvVarNames, []);
    seen.push(cleared, await fns.delete(fn.id));
    for (const value of seen) assert.ok(!JSON.stringify(value).includes(SECRET), JSON.stringify(value));
  });

  it("pages functions and runs across pages", async () => {
    const api = await tenant();
    const fns = api.functions;
    const made: string[] = [];
    for (const name of ["page-a", "page-b", "page-c"]) {
      made.push((await fns.create({ name, image: "a/b", entrypoint: "cat" })).function.id);
    }
    const first = await fns.list({ maxResults: 2 }).firstPage();
    assert.equal(first.items.length, 2);
    assert.ok(first.nextToken !== null);
    const rest = await fns.list({ maxResults: 2, nextToken: first.nextToken }).firstPage();
    assert.equal(rest.items.length, 1);
    assert.equal(rest.nextToken, null);
    const pages: string[][] = [];
    for await (const page of fns.list({ maxResults: 2 }).pages()) pages.push(page.items.map((f) => f.id));
    assert.deepEqual(pages.map((p) => p.length), [2, 1]);
    assert.deepEqual(pages.flat().sort(), [...made].sort());
    assert.deepEqual([...first.items, ...rest.items].map((f) => f.id), pages.flat());

    const fnId = made[0] ?? "";
    const runIds: string[] = [];
    for (let n = 0; n < 3; n += 1) runIds.push((await fns.run(fnId, { n })).run.id);
    for (const id of runIds) assert.equal((await fns.waitRun(id, WAIT)).status, "SUCCEEDED");
    const runPages: number[] = [];
    const walked: string[] = [];
    for await (const page of fns.runs(fnId, { maxResults: 2 }).pages()) {
      runPages.push(page.items.length);
      walked.push(...page.items.map((r) => r.id));
    }
    assert.deepEqual(runPages, [2, 1]);
    assert.deepEqual([...walked].sort(), [...runIds].sort());
    assert.deepEqual(await ids(fns.runs(fnId, { maxResults: 1 })), walked);
    assert.deepEqual(await ids(fns.runs(made[1] ?? "")), []);
  });

  it("dry runs check everything and write nothing", async () => {
    const api = await tenant();
    const fns = api.functions;
    const dry = await fns.create({ name: "dry", image: "a/b:1", entrypoint: "true", dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.valid, true);
    assert.equal(dry.function.status, "active");
    assert.deepEqual(await ids(fns.list()), []);

    const fn = (await fns.create({ name: "real", image: "a/b:1", entrypoint: "sleep 60" })).function;
    const renamed = await fns.update(fn.id, { name: "renamed", dryRun: true });
    assert.equal(renamed.dryRun, true);
    assert.equal(renamed.function.name, "renamed");
    assert.equal((await fns.get(fn.id)).name, "real");

    const dryRun = await fns.run(fn.id, { x: 1 }, { dryRun: true });
    assert.equal(dryRun.dryRun, true);
    assert.equal(dryRun.valid, true);
    assert.deepEqual(await ids(fns.runs(fn.id)), []);

    const live = (await fns.run(fn.id)).run;
    const dryCancel = await fns.cancelRun(live.id, { dryRun: true });
    assert.equal(dryCancel.dryRun, true);
    assert.equal(dryCancel.run.status, "CANCELLED");
    assert.ok(["QUEUED", "RUNNING"].includes((await fns.getRun(live.id)).status));

    const dryDelete = await fns.delete(fn.id, { dryRun: true });
    assert.equal(dryDelete.dryRun, true);
    assert.equal(dryDelete.function.status, "deleted");
    assert.equal((await fns.get(fn.id)).status, "active");
    assert.deepEqual(await ids(fns.list()), [fn.id]);

    // A dry run is refused as the real call would be.
    await assert.rejects(fns.create({ name: "Bad Name", image: "a/b", entrypoint: "true", dryRun: true }), ValidationError);
    assert.equal((await fns.delete(fn.id)).function.status, "deleted");
    assert.equal((await fns.waitRun(live.id, WAIT)).status, "CANCELLED", "deleting a function cancels its runs");
  });

  it("maps errors to their classes and writes nothing on bad input", async () => {
    const api = await tenant();
    const fns = api.functions;
    const cases: [Partial<FunctionCreateParams>, string][] = [
      [{ gpuTier: "h100" }, "gpuTier"],
      [{ timeoutSeconds: 0 }, "timeoutSeconds"],
      [{ envVars: { "1X": "y" } }, "envVars"],
      [{ name: "Bad Name" }, "name"],
    ];
    for (const [bad, field] of cases) {
      await assert.rejects(fns.create({ name: "ok", image: "a/b", entrypoint: "true", ...bad }), (err: unknown) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.equal(err.field, field, JSON.stringify(bad));
        return true;
      });
    }
    assert.deepEqual(await ids(fns.list()), []);

    const fn = (await fns.create({ name: "twin", image: "a/b", entrypoint: "true" })).function;
    await assert.rejects(fns.create({ name: "twin", image: "a/b", entrypoint: "true" }), ConflictError);
    await assert.rejects(fns.get("fn-doesnotexist"), NotFoundError);
    await assert.rejects(fns.getRun("run-doesnotexist"), NotFoundError);
    await assert.rejects(fns.run("fn-doesnotexist"), NotFoundError);

    // Another tenant's function does not exist for this one.
    const other = await tenant();
    await assert.rejects(other.functions.get(fn.id), NotFoundError);
    await assert.rejects(other.functions.run(fn.id), NotFoundError);
    assert.deepEqual(await ids(other.functions.list()), []);

    // waitRun gives up after its timeout on a run that is still going.
    await fns.update(fn.id, { entrypoint: "sleep 60" });
    const slow = (await fns.run(fn.id)).run;
    await assert.rejects(fns.waitRun(slow.id, { timeout: 300, interval: 50 }), (err: unknown) => {
      assert.ok(err instanceof ICGPUError && !(err instanceof ConflictError), String(err));
      assert.match(err.message, /still (queued|running)/);
      return true;
    });
    assert.equal((await fns.cancelRun(slow.id)).run.status, "CANCELLED");
  });
});
