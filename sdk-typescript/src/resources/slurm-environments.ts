/** client.slurmEnvironments: create, list, get, delete, and wait until ready. */

import {
  CreateSlurmEnvironmentDocument,
  DeleteSlurmEnvironmentDocument,
  GetSlurmEnvironmentDocument,
  ListSlurmEnvironmentsDocument,
  type CreateSlurmEnvironmentMutation,
  type SlurmEnvironmentFieldsFragment,
} from "../generated/graphql.js";
import { ICGPUError } from "../errors.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type SlurmEnvironment = SlurmEnvironmentFieldsFragment;
export type SlurmEnvironmentPayload = CreateSlurmEnvironmentMutation["createSlurmEnvironment"];

export interface SlurmEnvironmentCreateParams extends DryRunParam {
  name: string;
  /** Compute nodes in the environment. */
  maxNodes: number;
  /** GPUs on each node: the environment reserves maxNodes x gpuPerNode GPUs. */
  gpuPerNode: number;
  /** A GPU tier id (`client.gpuTiers.list()`); the server's default is `dedicated`. */
  gpuTier?: string;
  /** Share the environment with this team. */
  teamId?: string | null;
}

export interface SlurmWaitParams {
  /** Give up after this many milliseconds (default 10 minutes). */
  timeout?: number;
  /** Poll every this many milliseconds (default 1000). */
  interval?: number;
}

export class SlurmEnvironments extends Resource {
  async create(params: SlurmEnvironmentCreateParams, options?: RequestOptions): Promise<SlurmEnvironmentPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateSlurmEnvironmentDocument, { input, dryRun }, options)).createSlurmEnvironment;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<SlurmEnvironment> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListSlurmEnvironmentsDocument, page, opts)).slurmEnvironments,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<SlurmEnvironment> {
    return (await this.call(GetSlurmEnvironmentDocument, { id }, options)).slurmEnvironment;
  }

  /** Terminate an environment and release its GPUs. */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<SlurmEnvironmentPayload> {
    return (await this.call(DeleteSlurmEnvironmentDocument, { id, dryRun: params.dryRun ?? false }, options))
      .deleteSlurmEnvironment;
  }

  /** Poll until the environment is ready (its head node's SSH endpoint set); throws if it ends in
   * error or terminated, or after `timeout` milliseconds. */
  async waitReady(id: string, params: SlurmWaitParams = {}, options?: RequestOptions): Promise<SlurmEnvironment> {
    const { timeout = 600_000, interval = 1000 } = params;
    const deadline = Date.now() + timeout;
    for (;;) {
      const env = await this.get(id, options);
      if (env.status === "READY") return env;
      if (env.status === "ERROR" || env.status === "TERMINATED" || Date.now() >= deadline) {
        throw new ICGPUError(`Slurm environment ${id} is ${env.status.toLowerCase()}: ${env.statusReason ?? ""}`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
