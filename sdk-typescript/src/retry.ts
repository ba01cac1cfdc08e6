/** When to retry, and how long to wait: exponential backoff with jitter, `Retry-After` first. */

/** HTTP statuses retried: throttled, bad gateway, unavailable. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503]);

/** GraphQL error types (`extensions.code`) retried even inside a 200 answer. */
export const RETRY_ERROR_TYPES: ReadonlySet<string> = new Set(["ThrottlingException", "ServiceUnavailableException"]);

/**
 * Error codes retried: a retry that reaches the server while the first attempt (same
 * Idempotency-Key) is still running is refused with this 409; once it has finished, the retry
 * gets its replay.
 */
export const RETRY_ERROR_CODES: ReadonlySet<string> = new Set(["IdempotencyKeyInProgress"]);

/** Whether an API error is worth another attempt. */
export function isRetryable(status: number | undefined, type: string | undefined, code: string | undefined): boolean {
  return (
    (status !== undefined && RETRY_STATUSES.has(status)) ||
    (type !== undefined && RETRY_ERROR_TYPES.has(type)) ||
    (code !== undefined && RETRY_ERROR_CODES.has(code))
  );
}

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** The longest `Retry-After` honoured; a longer one is not worth blocking a call for. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Seconds (or an HTTP date) from a `Retry-After` header, as milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (0 for the first retry): the server's `Retry-After`
 * when it gave a usable one, else 0.5 s doubling up to 8 s, minus up to 25% jitter.
 */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs <= MAX_RETRY_AFTER_MS) {
    return retryAfterMs;
  }
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS);
  return base * (1 - 0.25 * random());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fresh Idempotency-Key: a random UUID (Web Crypto where there is one). */
export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
