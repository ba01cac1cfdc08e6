/**
 * GraphQL subscriptions over graphql-ws (the `graphql-transport-ws` subprotocol), one socket per
 * iteration, authenticated in `connection_init`. Uses the global `WebSocket` where there is one,
 * else the `webSocketImpl` given to the client (on Node 20: the `ws` package).
 */

import { createClient } from "graphql-ws/client";

import { APIConnectionError, ICGPUError, makeAPIError, type APIError } from "./errors.js";
import { errorFromGraphQL, operationOf, type Document } from "./transport.js";

export interface SubscriptionConfig {
  apiKey: string | undefined;
  baseURL: string;
  webSocketImpl: unknown;
}

/** `http(s)://host/base` -> `ws(s)://host/base/graphql`. */
export function webSocketURL(baseURL: string): string {
  return `${baseURL.replace(/^http/i, "ws")}/graphql`;
}

interface CloseEventLike {
  code: number;
  reason?: string;
}

function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "number";
}

/** A refusal or failure of the socket as an API error (close codes: docs/errors.md). */
export function subscriptionError(value: unknown): APIError | ICGPUError {
  if (value instanceof ICGPUError) return value;
  if (Array.isArray(value) && value.length > 0) {
    return errorFromGraphQL(value[0] as Parameters<typeof errorFromGraphQL>[0]);
  }
  if (isCloseEvent(value)) {
    const reason = value.reason ?? "";
    // "<type>: <code>" for refusals of the credential (4401, 4403) or of its check (1011).
    const match = /^([A-Za-z]+):\s*([A-Za-z]+)/.exec(reason);
    if (match !== null && (value.code === 4401 || value.code === 4403 || value.code === 1011)) {
      const status = value.code === 1011 ? 503 : 401;
      return makeAPIError({ status, type: match[1], code: match[2], message: reason });
    }
    return new APIConnectionError(`WebSocket closed with ${value.code}${reason ? `: ${reason}` : ""}`, value);
  }
  const message = value instanceof Error ? value.message : "WebSocket error";
  return new APIConnectionError(`WebSocket connection error: ${message}`, value);
}

/** Iterates the `data` of each event of a subscription; ends when the server completes it. */
export async function* subscribe<TResult, TVariables>(
  config: SubscriptionConfig,
  document: Document<TResult, TVariables>,
  variables: TVariables,
): AsyncGenerator<TResult, void, undefined> {
  const webSocketImpl = config.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (webSocketImpl === undefined) {
    throw new ICGPUError("no WebSocket on this platform: pass `webSocketImpl` (e.g. the `ws` package) to ICGPU");
  }
  const query = document.toString();
  const client = createClient({
    url: webSocketURL(config.baseURL),
    webSocketImpl,
    connectionParams: config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {},
    lazy: true,
    retryAttempts: 0,
  });
  const results = client.iterate<Record<string, unknown>>({
    query,
    operationName: operationOf(query).name ?? null,
    variables: variables as Record<string, unknown>,
  });
  try {
    for (;;) {
      let next: IteratorResult<{ data?: unknown; errors?: readonly unknown[] }>;
      try {
        next = await results.next();
      } catch (err) {
        throw subscriptionError(err);
      }
      if (next.done) return;
      const { data, errors } = next.value;
      if (errors !== undefined && errors.length > 0) throw subscriptionError(errors);
      yield data as TResult;
    }
  } finally {
    // Ends the subscription (a `complete` to the server) when the caller stops early, then the socket.
    await results.return?.();
    await client.dispose();
  }
}
