/** The README's TypeScript examples type-check against the SDK (strict), so the docs cannot drift. */

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";

import { SDK_ROOT } from "./support/server.js";

const run = promisify(execFile);

/** Every ```ts block, in order: imports hoisted (once each), the rest as the body of one async function. */
export function readmeProgram(markdown: string, sdkImport: string): string {
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const imports = new Set<string>();
  const body: string[] = [];
  for (const block of blocks) {
    for (const line of block.split("\n")) {
      if (line.startsWith("import ")) imports.add(line.replace(/"@ic-gpu\/client"/, JSON.stringify(sdkImport)));
      else body.push(`  ${line}`);
    }
  }
  return [...imports, "", "export async function readme(): Promise<void> {", ...body, "}", ""].join("\n");
}

describe("README", () => {
  it("its examples type-check in strict mode", async () => {
    const dir = join(SDK_ROOT, "build", "readme");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "readme.ts");
    const program = readmeProgram(readFileSync(join(SDK_ROOT, "README.md"), "utf8"), "../../src/index.js");
    assert.ok(program.includes("client.instances.create"), "examples found");
    writeFileSync(file, program);
    const tsc = join(SDK_ROOT, "node_modules", ".bin", "tsc");
    const args = ["--ignoreConfig", "--noEmit", "--strict", "--module", "nodenext", "--target", "es2022", "--lib", "es2022,dom", "--types", "node", "--skipLibCheck", file];
    try {
      await run(tsc, args, { cwd: SDK_ROOT, timeout: 60_000 });
    } catch (err) {
      const out = err as { stdout?: string; stderr?: string };
      assert.fail(`README examples do not type-check:\n${out.stdout ?? ""}${out.stderr ?? ""}\n--- program ---\n${program}`);
    }
  });
});
