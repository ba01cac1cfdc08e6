import { ListGpuTiersDocument } from "../generated/graphql.js";
import type { RequestOptions } from "../transport.js";
import type { GpuTier } from "../types.js";
import { Resource } from "./base.js";

export class GpuTiers extends Resource {
  /** Every GPU tier with its prices and current capacity (no credential needed). */
  async list(options?: RequestOptions): Promise<GpuTier[]> {
    return (await this.call(ListGpuTiersDocument, {}, options)).gpuTiers;
  }
}
