/** What every resource namespace shares: the HTTP transport, subscriptions and the list helper. */

import { SecretUnavailableError } from "../errors.js";
import { PageIterator, type Page } from "../pagination.js";
import { subscribe, type SubscriptionConfig } from "../subscriptions.js";
import type { Document, RequestOptions, Result, Transport } from "../transport.js";
import type { ListParams } from "../types.js";

export interface ClientContext {
  transport: Transport;
  subscriptions: SubscriptionConfig;
}

export abstract class Resource {
  protected readonly context: ClientContext;

  constructor(context: ClientContext) {
    this.context = context;
  }

  /** Runs one operation and gives its data. */
  protected async call<TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables, options?: RequestOptions): Promise<TResult> {
    return (await this.context.transport.execute(document, variables, options)).data;
  }

  /** Runs one operation and gives the whole result (replay flag, Idempotency-Key, request id). */
  protected execute<TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables, options?: RequestOptions): Promise<Result<TResult>> {
    return this.context.transport.execute(document, variables, options);
  }

  /** A lazy, async-iterable list: `fetch(vars)` runs one page with `maxResults` and `nextToken` added. */
  protected paginate<T>(params: ListParams, options: RequestOptions | undefined, fetch: (page: { maxResults?: number; nextToken?: string }, options?: RequestOptions) => Promise<Page<T>>): PageIterator<T> {
    const { maxResults } = params;
    return new PageIterator<T>(
      (nextToken) => fetch({ ...(maxResults !== undefined ? { maxResults } : {}), ...(nextToken !== undefined ? { nextToken } : {}) }, options),
      params.nextToken,
    );
  }

  protected subscribe<TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables): AsyncGenerator<TResult, void, undefined> {
    return subscribe(this.context.subscriptions, document, variables);
  }

  /**
   * The secret rule: a real (not dry-run) call answered by an idempotent replay (a retry of an
   * attempt that committed, or a repeated Idempotency-Key) has a null secret: it is lost.
   */
  protected requireSecret(result: Result<unknown>, payload: { dryRun: boolean }, secret: string | null, resourceType: string, resourceId: string): void {
    if (result.replayed && !payload.dryRun && secret === null) {
      throw new SecretUnavailableError({ resourceType, resourceId, idempotencyKey: result.idempotencyKey, requestId: result.requestId });
    }
  }
}
