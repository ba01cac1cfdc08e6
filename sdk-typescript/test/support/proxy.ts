/**
 * A loopback HTTP proxy placed in front of the test server. Each request is recorded, then handled
 * by the plan: forwarded (the default), answered by the proxy itself, forwarded and its answer
 * replaced (the server committed, the client sees a failure), dropped, or left hanging.
 */

import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The GraphQL operation name, when the body is a GraphQL request. */
  operationName: string | undefined;
  /** The upstream answer's status and headers, when the request was forwarded. */
  upstream?: { status: number; headers: IncomingHttpHeaders; body: string };
}

export type Action =
  | { kind: "forward" }
  /** The proxy answers by itself; nothing reaches the server. */
  | { kind: "respond"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Forwarded and fully answered by the server (it committed); the client gets this instead. */
  | { kind: "forwardThenRespond"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Forwarded and answered; then the client's connection is destroyed without a response. */
  | { kind: "forwardThenDrop" }
  /** Forwarded and answered; the client never gets an answer (until it gives up or the proxy closes). */
  | { kind: "forwardThenHang" }
  /** The client's connection is destroyed; nothing reaches the server. */
  | { kind: "drop" }
  /** No answer at all (until the proxy closes). */
  | { kind: "hang" };

export type Plan = (request: Recorded, index: number) => Action | undefined;

export const FORWARD: Action = { kind: "forward" };

export class Proxy {
  readonly requests: Recorded[] = [];
  #plan: Plan = () => FORWARD;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #target: URL;

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  static async start(target: string): Promise<Proxy> {
    const proxy = new Proxy(target);
    await new Promise<void>((done) => proxy.#server.listen(0, "127.0.0.1", done));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    if (typeof address !== "object" || address === null) throw new Error("proxy not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  /** Sets the plan and forgets earlier requests. */
  plan(plan: Plan): void {
    this.#plan = plan;
    this.requests.length = 0;
  }

  /** Requests for one GraphQL operation, in order. */
  calls(operationName: string): Recorded[] {
    return this.requests.filter((r) => r.operationName === operationName);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let operationName: string | undefined;
    try {
      const parsed = JSON.parse(body) as { operationName?: unknown };
      operationName = typeof parsed.operationName === "string" ? parsed.operationName : undefined;
    } catch {
      operationName = undefined;
    }
    const recorded: Recorded = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body, operationName };
    this.requests.push(recorded);
    const action = this.#plan(recorded, this.requests.length - 1) ?? FORWARD;
    switch (action.kind) {
      case "drop":
        req.socket.destroy();
        return;
      case "hang":
        return;
      case "respond":
        return answer(res, action.status, action.body, action.headers);
      default:
        break;
    }
    let upstream: Recorded["upstream"];
    try {
      upstream = await this.#forward(recorded);
    } catch {
      return answer(res, 599, { error: { type: "ProxyError", message: "upstream failed" } });
    }
    recorded.upstream = upstream;
    if (action.kind === "forwardThenDrop") {
      req.socket.destroy();
    } else if (action.kind === "forwardThenHang") {
      return;
    } else if (action.kind === "forwardThenRespond") {
      answer(res, action.status, action.body, action.headers);
    } else {
      const headers = { ...upstream.headers };
      delete headers["transfer-encoding"];
      delete headers["content-length"];
      delete headers.connection;
      res.writeHead(upstream.status, { ...headers, "content-length": Buffer.byteLength(upstream.body) });
      res.end(upstream.body);
    }
  }

  #forward(recorded: Recorded): Promise<NonNullable<Recorded["upstream"]>> {
    return new Promise((done, fail) => {
      const headers = { ...recorded.headers, host: this.#target.host };
      const upstream = httpRequest(
        { host: this.#target.hostname, port: this.#target.port, method: recorded.method, path: recorded.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", fail);
        },
      );
      upstream.on("error", fail);
      upstream.end(recorded.body);
    });
  }
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
