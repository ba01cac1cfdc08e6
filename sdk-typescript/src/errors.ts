/**
 * Error classes, one per API error type (docs/errors.md), all under `APIError`.
 *
 * The server names the type in the error body (`error.type`) and, on GraphQL, in
 * `extensions.code`; the status comes from the HTTP response or `extensions.status`.
 */

/** Base of every error this SDK throws. */
export class ICGPUError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface APIErrorInit {
  /** HTTP status (the one REST would use for a GraphQL error); undefined for transport failures. */
  status?: number | undefined;
  /** The API error type, e.g. `ValidationException`. */
  type?: string | undefined;
  /** The precise reason, e.g. `InvalidPaginationToken` (equals `type` when there is none). */
  code?: string | undefined;
  message: string;
  requestId?: string | undefined;
  /** The input at fault, when the server names one (`name`, `variables.input.name`, `nextToken`...). */
  field?: string | undefined;
  /** Seconds from a `Retry-After` header, when there was one. */
  retryAfter?: number | undefined;
  cause?: unknown;
}

/** An error answered by the API (or a transport failure, for the two connection subclasses). */
export class APIError extends ICGPUError {
  readonly status: number | undefined;
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly field: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? init.type;
    this.requestId = init.requestId;
    this.field = init.field;
    this.retryAfter = init.retryAfter;
    if (init.cause !== undefined) {
      (this as { cause?: unknown }).cause = init.cause;
    }
  }
}

/** 400 ValidationException (also 405, 413, 415). */
export class ValidationError extends APIError {}
/** 401 AuthenticationError: a missing, invalid, revoked or expired credential. */
export class AuthenticationError extends APIError {}
/** 402 InsufficientTokens. */
export class InsufficientTokensError extends APIError {}
/** 403 AccessDeniedException. */
export class PermissionDeniedError extends APIError {}
/** 404 ResourceNotFoundException (also another tenant's resource). */
export class NotFoundError extends APIError {}
/** 409 ConflictException: a name taken, a state transition refused, an Idempotency-Key reused. */
export class ConflictError extends APIError {}
/** 429 ThrottlingException. */
export class RateLimitError extends APIError {}
/** 500 InternalServiceException (and any other 5xx without a more precise type). */
export class InternalServerError extends APIError {}
/** 502/503 ServiceUnavailableException. */
export class ServiceUnavailableError extends APIError {}

/** The request did not get an HTTP response (refused connection, reset socket, DNS...). */
export class APIConnectionError extends APIError {
  constructor(message = "Connection error.", cause?: unknown) {
    super({ message, cause });
  }
}

/** No response within the client's `timeout`. */
export class APITimeoutError extends APIConnectionError {
  constructor(message = "Request timed out.", cause?: unknown) {
    super(message, cause);
  }
}

/**
 * A call that returns a one-time secret (an API key, a generated SSH private key) was retried,
 * and the server answered the idempotent replay of the first attempt, which committed: the
 * resource exists, but its secret was shown only in the lost response and is never stored.
 * Revoke or delete `resourceId` and create a new one.
 */
export class SecretUnavailableError extends APIError {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly idempotencyKey: string | undefined;

  constructor(init: { resourceType: string; resourceId: string; idempotencyKey?: string | undefined; requestId?: string | undefined }) {
    super({
      status: 200,
      type: "SecretUnavailable",
      code: "SecretUnavailable",
      requestId: init.requestId,
      message:
        `the ${init.resourceType} ${init.resourceId} was created, but the response holding its one-time secret was lost ` +
        "and a replay never repeats it: delete or revoke it and create another",
    });
    this.resourceType = init.resourceType;
    this.resourceId = init.resourceId;
    this.idempotencyKey = init.idempotencyKey;
  }
}

const BY_TYPE: Record<string, new (init: APIErrorInit) => APIError> = {
  ValidationException: ValidationError,
  AuthenticationError: AuthenticationError,
  InsufficientTokens: InsufficientTokensError,
  AccessDeniedException: PermissionDeniedError,
  ResourceNotFoundException: NotFoundError,
  ConflictException: ConflictError,
  ThrottlingException: RateLimitError,
  InternalServiceException: InternalServerError,
  ServiceUnavailableException: ServiceUnavailableError,
};

function classForStatus(status: number | undefined): new (init: APIErrorInit) => APIError {
  switch (status) {
    case 400:
    case 405:
    case 413:
    case 415:
      return ValidationError;
    case 401:
      return AuthenticationError;
    case 402:
      return InsufficientTokensError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 429:
      return RateLimitError;
    case 502:
    case 503:
    case 504:
      return ServiceUnavailableError;
    default:
      return status !== undefined && status >= 500 ? InternalServerError : APIError;
  }
}

/** The error class for an API error: by its type when the server named a known one, else by status. */
export function makeAPIError(init: APIErrorInit): APIError {
  const cls = (init.type !== undefined ? BY_TYPE[init.type] : undefined) ?? classForStatus(init.status);
  return new cls(init);
}
