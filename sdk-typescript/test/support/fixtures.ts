/** Small helpers shared by the suites. */

import { generateKeyPairSync, randomBytes } from "node:crypto";

import WebSocket from "ws";

import { ICGPU, type ClientOptions } from "../../src/index.js";

/** A fresh OpenSSH ed25519 public key line. */
export function sshPublicKey(comment = "sdk-ts-test"): string {
  const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
  const raw = Buffer.from(jwk.x ?? "", "base64url");
  const field = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}

let counter = 0;
/** A name unique in this run: `prefix-<n>-<random>`. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString("hex")}`;
}

/** A client for the tests: WebSocket from the `ws` package (Node 20 has no global one). */
export function client(baseURL: string, apiKey: string | null, options: ClientOptions = {}): ICGPU {
  return new ICGPU({ apiKey, baseURL, webSocketImpl: WebSocket, ...options });
}
