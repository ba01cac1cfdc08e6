/** client.quotas: the tenant's limits (storage, GPUs), what is used and what is left. */

import { GetQuotasDocument, type QuotasFieldsFragment } from "../generated/graphql.js";
import type { RequestOptions } from "../transport.js";
import { Resource } from "./base.js";

export type Quotas = QuotasFieldsFragment;

export class QuotasResource extends Resource {
  async get(options?: RequestOptions): Promise<Quotas> {
    return (await this.call(GetQuotasDocument, {}, options)).quotas;
  }
}
