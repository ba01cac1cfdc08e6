/** client.tokens: the tenant's prepaid token balance, purchases (an amount or a package), usage per
 * call (filtered by time range and model) and the token packages on offer. */

import {
  GetTokenBalanceDocument,
  ListTokenPackagesDocument,
  ListTokenUsageDocument,
  PurchaseTokensDocument,
  type PurchaseTokensMutation,
  type TokenBalanceFieldsFragment,
  type TokenPackageFieldsFragment,
  type TokenUsageFieldsFragment,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type TokenBalance = TokenBalanceFieldsFragment;
export type TokenUsage = TokenUsageFieldsFragment;
export type TokenPackage = TokenPackageFieldsFragment;
export type TokenPurchasePayload = PurchaseTokensMutation["purchaseTokens"];

export interface TokenPurchaseParams extends DryRunParam {
  /** Tokens to add to the balance (give this or `packageId`). */
  amount?: number;
  /** Buy one package of `client.tokens.packages()` instead. */
  packageId?: string;
}

export interface TokenUsageParams extends ListParams {
  /** Calls at or after this time (a Date or an ISO 8601 string). */
  since?: Date | string;
  /** Calls before this time. */
  until?: Date | string;
  /** Only calls to this model name. */
  model?: string;
}

function when(value: Date | string | undefined): string | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

export class Tokens extends Resource {
  async balance(options?: RequestOptions): Promise<TokenBalance> {
    return (await this.call(GetTokenBalanceDocument, {}, options)).tokenBalance;
  }

  /** Credit the balance with `amount` tokens or one package (`packageId`). */
  async purchase(params: TokenPurchaseParams, options?: RequestOptions): Promise<TokenPurchasePayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(PurchaseTokensDocument, { input, dryRun }, options)).purchaseTokens;
  }

  /** The tenant's calls and what each cost, oldest first. */
  usage(params: TokenUsageParams = {}, options?: RequestOptions): PageIterator<TokenUsage> {
    const { since, until, model, ...page } = params;
    const filters = {
      ...(since !== undefined ? { since: when(since) } : {}),
      ...(until !== undefined ? { until: when(until) } : {}),
      ...(model !== undefined ? { model } : {}),
    };
    return this.paginate(page, options, async (vars, opts) =>
      (await this.call(ListTokenUsageDocument, { ...vars, ...filters }, opts)).tokenUsage,
    );
  }

  /** The token packages on offer (the price list). */
  async packages(options?: RequestOptions): Promise<TokenPackage[]> {
    return (await this.call(ListTokenPackagesDocument, {}, options)).tokenPackages;
  }
}
