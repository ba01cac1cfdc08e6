/**
 * client.llm against a real gateway whose catalogue aliases point at a loopback upstream
 * (bench/gateway_upstream.py, a fixed completion): chat, streamed chat, embeddings, models; real
 * 402 (InsufficientTokensError), 403, 404, 400 and 502 (ServiceUnavailableError with Retry-After).
 */

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";

import { InsufficientTokensError, NotFoundError, PermissionDeniedError, ServiceUnavailableError, ValidationError, type ICGPU } from "../src/index.js";
import { client, uniqueName } from "./support/fixtures.js";
import { freePort, SDK_ROOT, TestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

const FIXED = "The gateway relays this fixed answer chunk by";
const HI = [{ role: "user" as const, content: "Hi" }];
const PYTHON = resolve(SDK_ROOT, "../.venv/bin/python");

let server: TestServer;
let upstream: ChildProcess;

async function startUpstream(port: number): Promise<ChildProcess> {
  const proc = spawn(PYTHON, [resolve(SDK_ROOT, "../bench/gateway_upstream.py"), "--port", String(port)], { stdio: "ignore" });
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`upstream exited with ${proc.exitCode}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 15_000, intervalMs: 50, what: "the upstream to answer" },
  );
  return proc;
}

/** The owner's API key of a new tenant, with `tokens` tokens bought. */
async function tenant(tokens: number): Promise<{ key: string; api: ICGPU }> {
  const boot = await server.bootstrap(uniqueName("llm"), "owner@example.com");
  if (tokens > 0) {
    const r = await fetch(`${server.url}/api/v1/tokens/purchase`, {
      method: "POST",
      headers: { Authorization: `Bearer ${boot.api_key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ amount: tokens }),
    });
    assert.equal(r.status, 201, await r.text());
  }
  return { key: boot.api_key, api: client(server.url, boot.api_key, { maxRetries: 0 }) };
}

before(async () => {
  const port = await freePort();
  upstream = await startUpstream(port);
  const base = `http://127.0.0.1:${port}/v1`;
  const down = `http://127.0.0.1:${await freePort()}/v1`;
  server = await TestServer.start({
    ICGPU_MODEL_UPSTREAMS: JSON.stringify({ "llama-3-8b": base, "bge-large-en-v1.5": base, "qwen2.5-7b": down }),
  });
});

after(async () => {
  await server?.stop();
  if (upstream?.pid !== undefined && upstream.exitCode === null) {
    const exited = new Promise((done) => upstream.once("exit", done));
    process.kill(upstream.pid, "SIGTERM");
    await exited;
  }
});

describe("llm", () => {
  it("answers chat, streamed chat, embeddings and the models list, with the metering headers", async () => {
    const { api } = await tenant(100_000);
    const reply = await api.llm.chat("llama-3-8b", HI, { max_tokens: 32, temperature: 0.2 });
    assert.equal(reply.body.choices[0]?.message.content, FIXED);
    assert.equal(reply.body.model, "llama-3-8b");
    assert.ok(reply.tokensUsed !== undefined && reply.tokensUsed > 0);
    assert.equal(reply.tokensRemaining, 100_000 - (reply.tokensUsed ?? 0));
    assert.match(reply.requestId ?? "", /^req-/);

    let text = "";
    let usage: unknown;
    for await (const chunk of api.llm.chatStream("llama-3-8b", HI, { stream_options: { include_usage: true } })) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, FIXED);
    assert.equal((usage as { completion_tokens: number }).completion_tokens, 8);

    const emb = await api.llm.embeddings("bge-large-en-v1.5", ["one", "two"]);
    assert.deepEqual(emb.body.data.map((d) => d.index), [0, 1]);
    assert.equal(emb.body.data[0]?.embedding.length, 8);

    const models = await api.llm.models();
    const llama = models.find((m) => m.id === "llama-3-8b");
    assert.equal(llama?.dev_engine, false);
    assert.equal(models.find((m) => m.id === "bge-large-en-v1.5")?.kind, "embedding");
  });

  it("gives 402 InsufficientTokensError when the balance cannot cover a call", async () => {
    const { api } = await tenant(0);
    await assert.rejects(api.llm.chat("llama-3-8b", HI), (err: unknown) => {
      assert.ok(err instanceof InsufficientTokensError);
      assert.equal(err.status, 402);
      assert.equal(err.type, "InsufficientTokens");
      return true;
    });
    await assert.rejects(async () => {
      for await (const _ of api.llm.chatStream("llama-3-8b", HI)) void _;
    }, InsufficientTokensError);
  });

  it("gives 502 ServiceUnavailableError with Retry-After when the upstream is down", async () => {
    const { api } = await tenant(10_000);
    await assert.rejects(api.llm.chat("qwen2.5-7b", HI), (err: unknown) => {
      assert.ok(err instanceof ServiceUnavailableError);
      assert.equal(err.status, 502);
      assert.equal(err.type, "ServiceUnavailableException");
      assert.ok(err.retryAfter !== undefined && err.retryAfter >= 1);
      return true;
    });
  });

  it("maps 403, 404 and 400 to their classes", async () => {
    const { key, api } = await tenant(10_000);
    const r = await fetch(`${server.url}/api/v1/api-keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: uniqueName("vms-only"), scopes: ["vms"] }),
    });
    const limited = client(server.url, ((await r.json()) as { key: string }).key, { maxRetries: 0 });
    await assert.rejects(limited.llm.chat("llama-3-8b", HI), PermissionDeniedError);
    await assert.rejects(api.llm.chat("no-such-model", HI), NotFoundError);
    await assert.rejects(api.llm.chat("llama-3-8b", HI, { max_tokens: 0 }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.field, "max_tokens");
      return true;
    });
  });
});
