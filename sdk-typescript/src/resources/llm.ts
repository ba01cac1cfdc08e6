/**
 * `client.llm`: the OpenAI-compatible /v1 API (chat completions, streamed chat, embeddings,
 * models) over the client's own `fetch`, credential, timeout, retries (429/502/503, honouring
 * `Retry-After`) and error classes (402 `InsufficientTokensError`, 502 `ServiceUnavailableError`...).
 *
 * Answers are OpenAI's JSON documents; any other OpenAI parameter (temperature, top_p, stop, seed,
 * tools...) goes in `params` and is sent as is.
 */

import { APIConnectionError, APIError, APITimeoutError, makeAPIError } from "../errors.js";
import { isRetryable, parseRetryAfter, retryDelayMs, sleep } from "../retry.js";
import type { RequestOptions } from "../transport.js";
import { Resource } from "./base.js";

export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | Array<Record<string, unknown>> | null;
  [key: string]: unknown;
}

/** One /v1 answer: the OpenAI body and the metering headers. */
export interface LlmReply<T = Record<string, unknown>> {
  body: T;
  tokensUsed: number | undefined;
  tokensRemaining: number | undefined;
  requestId: string | undefined;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: string; content: string | null }; finish_reason: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  [key: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  model: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string | null }; finish_reason: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  [key: string]: unknown;
}

export interface EmbeddingList {
  object: "list";
  model: string;
  data: Array<{ object: "embedding"; index: number; embedding: number[] }>;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface LlmModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  /** chat | embedding */
  kind: string;
  /** Served by the built-in development engine, not a real inference engine. */
  dev_engine: boolean;
}

const num = (v: string | null): number | undefined => (v !== null && /^-?\d+$/.test(v) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The API error of a refused /v1 call (the shared error body, else the status alone). */
function errorOf(response: Response, text: string): APIError {
  let body: { error?: Record<string, unknown> } | undefined;
  try {
    body = JSON.parse(text) as { error?: Record<string, unknown> };
  } catch {
    body = undefined;
  }
  const shared = body?.error;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  return makeAPIError({
    status: response.status,
    type: str(shared?.type),
    code: str(shared?.code),
    message: str(shared?.message) ?? `HTTP ${response.status}: ${text.slice(0, 200)}`,
    field: str(shared?.field),
    requestId: response.headers.get("x-request-id") ?? str(shared?.request_id),
    retryAfter: retryAfterMs === undefined ? undefined : retryAfterMs / 1000,
  });
}

export class Llm extends Resource {
  private headers(): Record<string, string> {
    const { apiKey } = this.context.transport.config;
    return { "Content-Type": "application/json", Accept: "application/json", ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) };
  }

  /** One attempt: the response, or the error (connection failures and timeouts as such). */
  private async attempt(method: string, path: string, body: unknown, timeout: number, stream: boolean): Promise<Response | APIError> {
    const { baseURL, fetch } = this.context.transport.config;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      const response = await fetch(`${baseURL}${path}`, {
        method,
        headers: this.headers(),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: controller.signal,
      });
      if (!response.ok) return errorOf(response, await response.text());
      if (stream) clearTimeout(timer); // a stream may outlive one attempt's timeout
      return response;
    } catch (cause) {
      return timedOut ? new APITimeoutError(`no response within ${timeout} ms`, cause) : new APIConnectionError(`connection error: ${String(cause)}`, cause);
    } finally {
      if (!stream) clearTimeout(timer);
    }
  }

  private async send(method: string, path: string, body: unknown, options: RequestOptions = {}, stream = false): Promise<Response> {
    const maxRetries = Math.max(0, options.maxRetries ?? this.context.transport.config.maxRetries);
    const timeout = options.timeout ?? this.context.transport.config.timeout;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(method, path, body, timeout, stream);
      if (!(outcome instanceof APIError)) return outcome;
      const retryable = outcome instanceof APIConnectionError || isRetryable(outcome.status, outcome.type, outcome.code);
      // A stream is retried only while refused before it started (nothing was relayed yet).
      if (!retryable || attempt >= maxRetries) throw outcome;
      await sleep(retryDelayMs(attempt, outcome.retryAfter === undefined ? undefined : outcome.retryAfter * 1000));
    }
  }

  private async reply<T>(response: Response): Promise<LlmReply<T>> {
    return {
      body: (await response.json()) as T,
      tokensUsed: num(response.headers.get("x-tokens-used")),
      tokensRemaining: num(response.headers.get("x-tokens-remaining")),
      requestId: response.headers.get("x-request-id") ?? undefined,
    };
  }

  /** POST /v1/chat/completions (not streamed). */
  async chat(model: string, messages: ChatMessage[], params: Record<string, unknown> = {}, options?: RequestOptions): Promise<LlmReply<ChatCompletion>> {
    return this.reply<ChatCompletion>(await this.send("POST", "/v1/chat/completions", { model, messages, ...params, stream: false }, options));
  }

  /** POST /v1/chat/completions with `stream: true`: the chunks as they arrive. */
  async *chatStream(model: string, messages: ChatMessage[], params: Record<string, unknown> = {}, options?: RequestOptions): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    const response = await this.send("POST", "/v1/chat/completions", { model, messages, ...params, stream: true }, options, true);
    const requestId = response.headers.get("x-request-id") ?? undefined;
    if (response.body === null) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        pending += decoder.decode(value, { stream: true });
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") return;
          const chunk = JSON.parse(data) as ChatCompletionChunk & { error?: Record<string, unknown> };
          if (chunk.error !== undefined) {
            throw makeAPIError({
              status: chunk.error.type === "ServiceUnavailableException" ? 502 : 500,
              type: str(chunk.error.type),
              code: str(chunk.error.code),
              message: str(chunk.error.message) ?? "the stream failed",
              requestId,
            });
          }
          yield chunk;
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined); // leaving early closes the stream (and the upstream call)
    }
  }

  /** POST /v1/embeddings (floats unless `encoding_format: "base64"` is passed). */
  async embeddings(model: string, input: string | string[], params: Record<string, unknown> = {}, options?: RequestOptions): Promise<LlmReply<EmbeddingList>> {
    return this.reply<EmbeddingList>(await this.send("POST", "/v1/embeddings", { model, input, encoding_format: "float", ...params }, options));
  }

  /** GET /v1/models: what this credential may call. */
  async models(options?: RequestOptions): Promise<LlmModel[]> {
    return ((await (await this.send("GET", "/v1/models", undefined, options)).json()) as { data: LlmModel[] }).data;
  }
}
