import {
  CreateInstanceDocument,
  DeleteInstanceDocument,
  GetInstanceDocument,
  ListInstancesDocument,
  RequeueInstanceDocument,
  StartInstanceDocument,
  StopInstanceDocument,
  UpdateInstanceDocument,
  WatchInstanceStatusDocument,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, Instance, InstancePayload, InstanceStatus, InstanceStatusEvent, ListParams, WorkloadType } from "../types.js";
import { Resource } from "./base.js";

export interface InstanceCreateParams extends DryRunParam {
  name: string;
  /** A GPU tier id (`client.gpuTiers.list()`). */
  tier: string;
  /** An OpenSSH public key, or the id of one of your SSH keys. */
  sshKey?: string | null;
  storageGb?: number;
  workloadType?: WorkloadType;
  /** Grant every key of this SSH key group. */
  sshKeyGroup?: string | null;
  /** Share the instance with this team. */
  teamId?: string | null;
  /** Stop the instance after it has run this many minutes (each start counts anew). */
  autoStopAfterMinutes?: number | null;
}

export interface InstanceListParams extends ListParams {
  /** Only instances in this status (terminated ones are listed only when asked for). */
  status?: InstanceStatus;
}

export interface InstanceUpdateParams extends DryRunParam {
  name?: string;
}

export class Instances extends Resource {
  async create(params: InstanceCreateParams, options?: RequestOptions): Promise<InstancePayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateInstanceDocument, { input, dryRun }, options)).createInstance;
  }

  list(params: InstanceListParams = {}, options?: RequestOptions): PageIterator<Instance> {
    const { status } = params;
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListInstancesDocument, { ...page, ...(status !== undefined ? { status } : {}) }, opts)).instances,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<Instance> {
    return (await this.call(GetInstanceDocument, { id }, options)).instance;
  }

  /** Rename an instance. */
  async update(id: string, params: InstanceUpdateParams, options?: RequestOptions): Promise<InstancePayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(UpdateInstanceDocument, { id, input, dryRun }, options)).updateInstance;
  }

  async start(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<InstancePayload> {
    return (await this.call(StartInstanceDocument, { id, dryRun: params.dryRun ?? false }, options)).startInstance;
  }

  async stop(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<InstancePayload> {
    return (await this.call(StopInstanceDocument, { id, dryRun: params.dryRun ?? false }, options)).stopInstance;
  }

  /** Re-queue a preempted batch instance. */
  async requeue(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<InstancePayload> {
    return (await this.call(RequeueInstanceDocument, { id, dryRun: params.dryRun ?? false }, options)).requeueInstance;
  }

  /** Terminate an instance and release its storage. */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<InstancePayload> {
    return (await this.call(DeleteInstanceDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteInstance;
  }

  /**
   * The instance's current status, then every change, until it is terminated (or until you
   * `break` out of the loop). Over WebSocket: see the `webSocketImpl` option.
   */
  async *watch(id: string): AsyncGenerator<InstanceStatusEvent, void, undefined> {
    for await (const data of this.subscribe(WatchInstanceStatusDocument, { id })) {
      yield data.instanceStatus;
      if (data.instanceStatus.status === "TERMINATED") return;
    }
  }
}
