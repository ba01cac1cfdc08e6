/**
 * The SDK's overhead per call: `instances.list` of 100 items (one page) against a raw `fetch`
 * POST of the same generated query, interleaved in one run against a real server on loopback.
 * `npm run bench` (ROUNDS=200 by default).
 */

import { ListInstancesDocument } from "../src/generated/graphql.js";
import { client, sshPublicKey } from "../test/support/fixtures.js";
import { TestServer } from "../test/support/server.js";

const ITEMS = 100;
const ROUNDS = Number(process.env.ROUNDS ?? 200);
const WARMUP = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const server = await TestServer.start({ ICGPU_RATE_LIMIT_API: "1000000" });
  try {
    const { api_key: apiKey } = await server.bootstrap("bench", "bench@example.com");
    const sdk = client(server.url, apiKey, { maxRetries: 0 });
    const key = sshPublicKey();
    for (let i = 0; i < ITEMS; i++) {
      await sdk.instances.create({ name: `bench-${i}`, tier: "timesliced", sshKey: key, storageGb: 10, workloadType: "BATCH" });
    }
    const body = JSON.stringify({ query: ListInstancesDocument.toString(), variables: { maxResults: ITEMS }, operationName: "ListInstances" });
    const headers = { "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${apiKey}` };
    const raw = async (): Promise<number> => {
      const res = await fetch(`${server.url}/graphql`, { method: "POST", headers, body });
      const json = (await res.json()) as { data: { instances: { items: unknown[] } } };
      return json.data.instances.items.length;
    };
    const viaSdk = async (): Promise<number> => (await sdk.instances.list({ maxResults: ITEMS }).firstPage()).items.length;

    for (let i = 0; i < WARMUP; i++) {
      if ((await raw()) !== ITEMS || (await viaSdk()) !== ITEMS) throw new Error("expected a full page of 100");
    }
    const times = { raw: [] as number[], sdk: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved, alternating which goes first, so drift in the server or machine hits both.
      const order: Array<["raw" | "sdk", () => Promise<number>]> = i % 2 === 0 ? [["raw", raw], ["sdk", viaSdk]] : [["sdk", viaSdk], ["raw", raw]];
      for (const [name, call] of order) {
        const start = performance.now();
        await call();
        times[name].push(performance.now() - start);
      }
    }
    const rawMs = median(times.raw);
    const sdkMs = median(times.sdk);
    console.log(`TypeScript SDK instances.list (${ITEMS} items), ${ROUNDS} interleaved rounds, medians:`);
    console.log(`  raw fetch POST   ${rawMs.toFixed(2)} ms`);
    console.log(`  @ic-gpu/client   ${sdkMs.toFixed(2)} ms`);
    console.log(`  overhead         ${(sdkMs - rawMs).toFixed(2)} ms per call (x${(sdkMs / rawMs).toFixed(3)})`);
  } finally {
    await server.stop();
  }
}

await main();
