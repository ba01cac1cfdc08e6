/** client.spendingAlerts: balance thresholds (create, list, get, update, delete). balance.low fires
 * once each time the balance falls below an alert's threshold; notifyVia WEBHOOK or IN_APP. */

import {
  CreateSpendingAlertDocument,
  DeleteSpendingAlertDocument,
  GetSpendingAlertDocument,
  ListSpendingAlertsDocument,
  UpdateSpendingAlertDocument,
  type CreateSpendingAlertMutation,
  type NotifyVia,
  type SpendingAlertFieldsFragment,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type SpendingAlert = SpendingAlertFieldsFragment;
export type SpendingAlertPayload = CreateSpendingAlertMutation["createSpendingAlert"];
export type { NotifyVia };

export interface SpendingAlertCreateParams extends DryRunParam {
  name: string;
  /** Fire balance.low when the balance falls below this many tokens. */
  threshold: number;
  /** WEBHOOK (the default): an event for your webhooks; IN_APP: a notification too. */
  notifyVia?: NotifyVia;
}

export interface SpendingAlertUpdateParams extends DryRunParam {
  name?: string;
  threshold?: number;
  notifyVia?: NotifyVia;
}

export class SpendingAlerts extends Resource {
  async create(params: SpendingAlertCreateParams, options?: RequestOptions): Promise<SpendingAlertPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateSpendingAlertDocument, { input, dryRun }, options)).createSpendingAlert;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<SpendingAlert> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListSpendingAlertsDocument, page, opts)).spendingAlerts,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<SpendingAlert> {
    return (await this.call(GetSpendingAlertDocument, { id }, options)).spendingAlert;
  }

  async update(id: string, params: SpendingAlertUpdateParams, options?: RequestOptions): Promise<SpendingAlertPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(UpdateSpendingAlertDocument, { id, input, dryRun }, options)).updateSpendingAlert;
  }

  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<SpendingAlertPayload> {
    return (await this.call(DeleteSpendingAlertDocument, { id, dryRun: params.dryRun ?? false }, options))
      .deleteSpendingAlert;
  }
}
