/** client.functions: GPU functions (create, list, get, update, delete) and their runs (run, runs,
 * getRun, cancelRun, waitRun). Secret env var values are write-only: only their names come back. */

import {
  CancelFunctionRunDocument,
  CreateFunctionDocument,
  DeleteFunctionDocument,
  GetFunctionDocument,
  GetFunctionRunDocument,
  ListFunctionRunsDocument,
  ListFunctionsDocument,
  RunFunctionDocument,
  UpdateFunctionDocument,
  type CreateFunctionMutation,
  type FunctionRunFieldsFragment,
  type FunctionRunStatus,
  type GpuFunctionFieldsFragment,
  type RunFunctionMutation,
} from "../generated/graphql.js";
import { ICGPUError } from "../errors.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type GpuFunction = GpuFunctionFieldsFragment;
export type GpuFunctionPayload = CreateFunctionMutation["createFunction"];
export type FunctionRun = FunctionRunFieldsFragment;
export type { FunctionRunStatus };
export type FunctionRunPayload = RunFunctionMutation["runFunction"];

/** A run in these states has not ended yet. */
const LIVE: readonly FunctionRunStatus[] = ["QUEUED", "RUNNING"];

export interface FunctionCreateParams extends DryRunParam {
  /** 1-63 lowercase letters, digits and hyphens; unique among your live functions. */
  name: string;
  /** The container image (a reference such as `registry.example/team/model:v1`). */
  image: string;
  /** The command run for each call; the run's input is given to it as JSON on stdin. */
  entrypoint: string;
  /** A GPU tier id (`client.gpuTiers.list()`); the server's default is `timesliced`. */
  gpuTier?: string;
  /** Seconds a run may take before it is stopped (`TIMED_OUT`): 1-86400, default 300. */
  timeoutSeconds?: number;
  /** Environment variables, name -> value. */
  envVars?: Record<string, string>;
  /** Write-only environment variables: set in each run, never returned (only their names). */
  secretEnvVars?: Record<string, string>;
  /** Share the function with this team. */
  teamId?: string | null;
}

export interface FunctionUpdateParams extends DryRunParam {
  name?: string;
  image?: string;
  entrypoint?: string;
  gpuTier?: string;
  timeoutSeconds?: number;
  /** Replaces the whole map. */
  envVars?: Record<string, string>;
  /** Replaces the whole map; `{}` removes every secret. */
  secretEnvVars?: Record<string, string>;
}

/** A run's input: a JSON object, given to the entrypoint on stdin. */
export type FunctionRunInput = Record<string, unknown>;

export interface FunctionRunListParams extends ListParams {
  /** Only runs in this status. */
  status?: FunctionRunStatus;
}

export interface FunctionRunWaitParams {
  /** Give up after this many milliseconds (default 10 minutes). */
  timeout?: number;
  /** Poll every this many milliseconds (default 500). */
  interval?: number;
}

export class Functions extends Resource {
  async create(params: FunctionCreateParams, options?: RequestOptions): Promise<GpuFunctionPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateFunctionDocument, { input, dryRun }, options)).createFunction;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<GpuFunction> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListFunctionsDocument, page, opts)).functions,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<GpuFunction> {
    return (await this.call(GetFunctionDocument, { id }, options)).function;
  }

  /** Change a function; a map given (envVars, secretEnvVars) replaces the old one. */
  async update(id: string, params: FunctionUpdateParams, options?: RequestOptions): Promise<GpuFunctionPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(UpdateFunctionDocument, { id, input, dryRun }, options)).updateFunction;
  }

  /** Delete a function: its queued and running runs are cancelled. */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<GpuFunctionPayload> {
    return (await this.call(DeleteFunctionDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteFunction;
  }

  /** Queue a run of the function with `input` (a JSON object on the entrypoint's stdin; default `{}`). */
  async run(id: string, input: FunctionRunInput = {}, params: DryRunParam = {},
    options?: RequestOptions): Promise<FunctionRunPayload> {
    const dryRun = params.dryRun ?? false;
    return (await this.call(RunFunctionDocument, { id, input, dryRun }, options)).runFunction;
  }

  /** A function's runs (its runs stay readable after the function is deleted). */
  runs(functionId: string, params: FunctionRunListParams = {}, options?: RequestOptions): PageIterator<FunctionRun> {
    const { status, ...page } = params;
    return this.paginate(page, options, async (vars, opts) =>
      (await this.call(ListFunctionRunsDocument, { functionId, ...vars, ...(status !== undefined ? { status } : {}) }, opts))
        .functionRuns,
    );
  }

  async getRun(runId: string, options?: RequestOptions): Promise<FunctionRun> {
    return (await this.call(GetFunctionRunDocument, { id: runId }, options)).functionRun;
  }

  /** Cancel a queued or running run (a run that has ended is a ConflictError). */
  async cancelRun(runId: string, params: DryRunParam = {}, options?: RequestOptions): Promise<FunctionRunPayload> {
    return (await this.call(CancelFunctionRunDocument, { id: runId, dryRun: params.dryRun ?? false }, options))
      .cancelFunctionRun;
  }

  /** Poll until the run has ended (SUCCEEDED, FAILED, TIMED_OUT or CANCELLED) and return it;
   * throws an ICGPUError if it is still queued or running after `timeout` milliseconds. */
  async waitRun(runId: string, params: FunctionRunWaitParams = {}, options?: RequestOptions): Promise<FunctionRun> {
    const { timeout = 600_000, interval = 500 } = params;
    const deadline = Date.now() + timeout;
    for (;;) {
      const run = await this.getRun(runId, options);
      if (!LIVE.includes(run.status)) return run;
      if (Date.now() >= deadline) throw new ICGPUError(`run ${runId} is still ${run.status.toLowerCase()}`);
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
