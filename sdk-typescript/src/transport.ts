/**
 * GraphQL over HTTP on the platform's own `fetch`: authentication, timeouts, retries, one
 * Idempotency-Key per mutation (reused by its retries), and API errors mapped to classes.
 */

import { APIConnectionError, APIError, APITimeoutError, makeAPIError } from "./errors.js";
import { isRetryable, newIdempotencyKey, parseRetryAfter, retryDelayMs, sleep } from "./retry.js";

/** A generated document: the operation text, typed by its result and variables. */
export interface Document<TResult, TVariables> {
  toString(): string;
  /** Type carrier only (from GraphQL Code Generator); never set at run time. */
  __apiType?: (variables: TVariables) => TResult;
}

/** Per-call options, accepted by every method as its last argument. */
export interface RequestOptions {
  /** The Idempotency-Key of a mutation (default: a new random one per call, reused by its retries). */
  idempotencyKey?: string;
  /** Milliseconds per attempt (default: the client's `timeout`). */
  timeout?: number;
  /** Retries after the first attempt (default: the client's `maxRetries`). */
  maxRetries?: number;
}

export interface TransportConfig {
  apiKey: string | undefined;
  baseURL: string;
  maxRetries: number;
  timeout: number;
  fetch: typeof fetch;
}

/** A successful answer with what the resource layer needs to apply the secret rule. */
export interface Result<TResult> {
  data: TResult;
  requestId: string | undefined;
  /** True when the server answered an idempotent replay (`Idempotent-Replayed: true`). */
  replayed: boolean;
  idempotencyKey: string | undefined;
  /** How many attempts the call took (1 without retries). */
  attempts: number;
}

type Attempt<T> =
  | { ok: true; data: T; requestId: string | undefined; replayed: boolean }
  | { ok: false; error: APIError; retryable: boolean; retryAfterMs: number | undefined };

interface ErrorFields {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  request_id?: unknown;
  field?: unknown;
}

interface GraphQLErrorShape {
  message?: unknown;
  extensions?: { code?: unknown; status?: unknown; reason?: unknown; field?: unknown };
}

const OPERATION = /^\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/** The kind and name of a document's operation (generated documents start with it). */
export function operationOf(query: string): { kind: string; name: string | undefined } {
  const match = OPERATION.exec(query);
  return { kind: match?.[1] ?? "query", name: match?.[2] };
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** An API error from one GraphQL error object (`extensions.code` is the type, `reason` the code). */
export function errorFromGraphQL(error: GraphQLErrorShape, requestId?: string, status?: number): APIError {
  const ext = error.extensions ?? {};
  return makeAPIError({
    status: num(ext.status) ?? status,
    type: str(ext.code),
    code: str(ext.reason),
    message: str(error.message) ?? "GraphQL error",
    field: str(ext.field),
    requestId,
  });
}

export class Transport {
  readonly config: TransportConfig;

  constructor(config: TransportConfig) {
    this.config = config;
  }

  get graphqlURL(): string {
    return `${this.config.baseURL}/graphql`;
  }

  /** Runs one operation, retrying what is worth retrying; throws an `APIError` subclass otherwise. */
  async execute<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions = {},
  ): Promise<Result<TResult>> {
    const query = document.toString();
    const op = operationOf(query);
    const idempotencyKey = op.kind === "mutation" ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    const body = JSON.stringify({ query, variables, operationName: op.name });
    const maxRetries = Math.max(0, options.maxRetries ?? this.config.maxRetries);
    const timeout = options.timeout ?? this.config.timeout;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt<TResult>(body, idempotencyKey, timeout);
      if (outcome.ok) {
        return { data: outcome.data, requestId: outcome.requestId, replayed: outcome.replayed, idempotencyKey, attempts: attempt + 1 };
      }
      if (!outcome.retryable || attempt >= maxRetries) throw outcome.error;
      await sleep(retryDelayMs(attempt, outcome.retryAfterMs));
    }
  }

  private headers(idempotencyKey: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (this.config.apiKey) headers.Authorization = `Bearer ${this.config.apiKey}`;
    if (idempotencyKey !== undefined) headers["Idempotency-Key"] = idempotencyKey;
    return headers;
  }

  private async attempt<T>(body: string, idempotencyKey: string | undefined, timeout: number): Promise<Attempt<T>> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      const response = await this.config.fetch(this.graphqlURL, {
        method: "POST",
        headers: this.headers(idempotencyKey),
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      return readResponse<T>(response, text);
    } catch (cause) {
      const error = timedOut ? new APITimeoutError(`no response within ${timeout} ms`, cause) : new APIConnectionError(connectionMessage(cause), cause);
      return { ok: false, error, retryable: true, retryAfterMs: undefined };
    } finally {
      clearTimeout(timer);
    }
  }
}

function connectionMessage(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const detail = str(inner?.code) ?? str(inner?.message) ?? (cause instanceof Error ? cause.message : String(cause));
  return `connection error: ${detail}`;
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readResponse<T>(response: Response, text: string): Attempt<T> {
  const parsed = parseJSON(text);
  const json = typeof parsed === "object" && parsed !== null ? (parsed as { data?: unknown; errors?: unknown; error?: ErrorFields }) : undefined;
  const requestId = response.headers.get("x-request-id") ?? str(json?.error?.request_id);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  const errors = Array.isArray(json?.errors) ? (json.errors as GraphQLErrorShape[]) : [];
  if (!response.ok) {
    // Refused before execution (or a proxy's answer): the shared error body, else the status alone.
    const shared = json?.error;
    const error =
      shared !== undefined && typeof shared === "object"
        ? makeAPIError({
            status: response.status,
            type: str(shared.type),
            code: str(shared.code),
            message: str(shared.message) ?? `HTTP ${response.status}`,
            field: str(shared.field),
            requestId,
            retryAfter: retryAfterMs === undefined ? undefined : retryAfterMs / 1000,
          })
        : errors[0] !== undefined
          ? errorFromGraphQL(errors[0], requestId, response.status)
          : makeAPIError({ status: response.status, message: `HTTP ${response.status}: ${text.slice(0, 200)}`, requestId });
    return { ok: false, error, retryable: isRetryable(response.status, error.type, error.code), retryAfterMs };
  }
  if (errors[0] !== undefined) {
    const error = errorFromGraphQL(errors[0], requestId);
    // The HTTP status is 200 here: only the error's own type and code decide.
    return { ok: false, error, retryable: isRetryable(undefined, error.type, error.code), retryAfterMs };
  }
  if (json === undefined || json.data === undefined || json.data === null) {
    const error = makeAPIError({ status: response.status, message: `unexpected response: ${text.slice(0, 200)}`, requestId });
    return { ok: false, error, retryable: false, retryAfterMs: undefined };
  }
  return { ok: true, data: json.data as T, requestId, replayed: response.headers.get("idempotent-replayed") === "true" };
}
