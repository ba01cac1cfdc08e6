/**
 * A real `icgpu serve` on 127.0.0.1 for the tests (as tests/support/server.py does for the Python
 * suites): its own data dir and SQLite file, a free port, ready when /readyz answers 200, stopped
 * by its own process id.
 */

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { waitFor } from "./wait.js";

const run = promisify(execFile);

/** sdk-typescript/ (this file runs from build/test/support/). */
export const SDK_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const ICGPU = process.env.ICGPU_BIN ?? resolve(SDK_ROOT, "../.venv/bin/icgpu");
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** Fast, deterministic timings for the local provisioner and workers (as the Python suites use). */
const FAST: Record<string, string> = {
  ICGPU_LOCAL_PROVISION_SECONDS: "0.3",
  ICGPU_LOCAL_STOP_SECONDS: "0.2",
  ICGPU_RECONCILE_INTERVAL_SECONDS: "0.1",
  ICGPU_EVENT_POLL_INTERVAL_SECONDS: "0.05",
  ICGPU_RATE_LIMIT_API: "100000",
  ICGPU_RATE_LIMIT_LLM: "100000",
  ICGPU_LOCAL_FUNCTION_EXEC: "true", // GPU function runs execute on the test host
};

export interface Bootstrap {
  tenant: string;
  account_id: string;
  api_key: string;
  oidc_token: string;
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address !== null ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

const running = new Set<ChildProcess>();
// A test run that dies mid-way still stops its servers (by their own pids).
process.once("exit", () => {
  for (const proc of running) if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, "SIGKILL");
});

export class TestServer {
  readonly port: number;
  readonly dir: string;
  readonly env: Record<string, string>;
  #proc: ChildProcess | undefined;

  private constructor(port: number, dir: string, extraEnv: Record<string, string>) {
    this.port = port;
    this.dir = dir;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith("ICGPU_") && v !== undefined)) as Record<string, string>;
    this.env = {
      ...inherited,
      ...FAST,
      ICGPU_DATA_DIR: join(dir, "data"),
      ICGPU_DATABASE_URL: `sqlite+aiosqlite:///${join(dir, "icgpu.db")}`,
      ICGPU_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...extraEnv,
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(extraEnv: Record<string, string> = {}): Promise<TestServer> {
    const server = new TestServer(await freePort(), mkdtempSync(join(tmpdir(), "icgpu-sdk-ts-")), extraEnv);
    await server.#spawn();
    return server;
  }

  async #spawn(): Promise<void> {
    const log = openSync(join(this.dir, "server.log"), "a");
    const proc = spawn(ICGPU, ["serve", "--host", "127.0.0.1", "--port", String(this.port), "--log-level", "info"], {
      env: this.env,
      cwd: resolve(SDK_ROOT, ".."),
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    this.#proc = proc;
    running.add(proc);
    try {
      await waitFor(
        async () => {
          if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${this.log().slice(-3000)}`);
          try {
            return (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200;
          } catch {
            return false;
          }
        },
        { timeoutMs: START_TIMEOUT_MS, intervalMs: 100, what: "the server to become ready" },
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, "server.log"), "utf8");
    } catch {
      return "";
    }
  }

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(ICGPU, args, { env: this.env, cwd: resolve(SDK_ROOT, ".."), timeout: 60_000 });
    return stdout;
  }

  /** A new API key (and OIDC token) for a tenant's owner: `icgpu admin bootstrap` (JSON). */
  async bootstrap(tenant: string, email: string): Promise<Bootstrap> {
    return JSON.parse(await this.cli("admin", "bootstrap", "--tenant", tenant, "--email", email)) as Bootstrap;
  }

  /** A development-issuer token for anyone in a tenant (the account is made on first use). */
  async token(tenant: string, email: string): Promise<string> {
    return (await this.cli("auth", "token", "--tenant", tenant, "--email", email)).trim();
  }

  /** SIGTERM by pid, SIGKILL if it does not exit in time; then the data dir is removed. */
  async stop(): Promise<void> {
    const proc = this.#proc;
    this.#proc = undefined;
    if (proc !== undefined && proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      const exited = new Promise<void>((done) => proc.once("exit", () => done()));
      process.kill(proc.pid, "SIGTERM");
      const timer = new Promise<"timeout">((done) => setTimeout(() => done("timeout"), STOP_TIMEOUT_MS).unref());
      if ((await Promise.race([exited, timer])) === "timeout" && proc.exitCode === null) {
        process.kill(proc.pid, "SIGKILL");
        await exited;
      }
    }
    if (proc !== undefined) running.delete(proc);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
