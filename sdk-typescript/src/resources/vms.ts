/** client.vms: create, list, get, update, start, stop, reboot, delete, wait for a status, and a
 * VM's networks (attachNetwork, networks, detachNetwork). */

import {
  AttachVmNetworkDocument,
  CreateVmDocument,
  DeleteVmDocument,
  DetachVmNetworkDocument,
  GetVmDocument,
  ListVmNetworkAttachmentsDocument,
  ListVmsDocument,
  RebootVmDocument,
  StartVmDocument,
  StopVmDocument,
  UpdateVmDocument,
  type AttachVmNetworkMutation,
  type CreateVmMutation,
  type VmFieldsFragment,
  type VmNetworkAttachmentFieldsFragment,
  type VmStatus,
} from "../generated/graphql.js";
import { ICGPUError } from "../errors.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type Vm = VmFieldsFragment;
export type { VmStatus };
export type VmPayload = CreateVmMutation["createVm"];
/** A VM's place on a network: the network, its subnet and the VM's address. */
export type VmNetworkAttachment = VmNetworkAttachmentFieldsFragment;
export type VmNetworkAttachmentPayload = AttachVmNetworkMutation["attachVmNetwork"];

/** States a VM leaves only when asked to (start, delete): waiting for another one gives up there. */
const SETTLED: readonly VmStatus[] = ["STOPPED", "ERROR", "TERMINATED"];

export interface VmCreateParams extends DryRunParam {
  name: string;
  /** A template id from `client.vmTemplates.list()`. */
  templateId: string;
  /** `sshKey` or `sshKeyGroup` is required. */
  sshKey?: string | null;
  /** Grant every key of this SSH key group. */
  sshKeyGroup?: string | null;
  /** cpu, memoryGb and diskGb default to the template's and stay within its limits. */
  cpu?: number | null;
  memoryGb?: number | null;
  /** The boot disk; counts in the tenant's storage quota. */
  diskGb?: number | null;
  /** Override a GPU template's tier (refused on a CPU-only template). */
  gpuTier?: string | null;
  /** Share the VM with this team. */
  teamId?: string | null;
  /** Stop the VM this many minutes after it starts running. */
  autoStopAfterMinutes?: number | null;
}

export interface VmListParams extends ListParams {
  /** Only VMs in this status (terminated ones are listed only when asked for). */
  status?: VmStatus;
}

export interface VmUpdateParams extends DryRunParam {
  name?: string;
  /** Minutes before a running VM is stopped; `null` turns auto-stop off, absent leaves it. */
  autoStopAfterMinutes?: number | null;
}

export interface VmWaitParams {
  /** Give up after this many milliseconds (default 10 minutes). */
  timeout?: number;
  /** Poll every this many milliseconds (default 1000). */
  interval?: number;
}

export interface VmAttachNetworkParams extends DryRunParam {
  /** Your network of this name (yours first, then your team's); created when there is none. */
  name: string;
  /** The subnet to join (added when new and overlapping none; the first subnet of a new network). */
  cidr?: string | null;
}

export class Vms extends Resource {
  async create(params: VmCreateParams, options?: RequestOptions): Promise<VmPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateVmDocument, { input, dryRun }, options)).createVm;
  }

  list(params: VmListParams = {}, options?: RequestOptions): PageIterator<Vm> {
    const { status, ...page } = params;
    return this.paginate(page, options, async (vars, opts) =>
      (await this.call(ListVmsDocument, { ...vars, ...(status !== undefined ? { status } : {}) }, opts)).vms,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<Vm> {
    return (await this.call(GetVmDocument, { id }, options)).vm;
  }

  /** Rename a VM or change its auto-stop time. */
  async update(id: string, params: VmUpdateParams, options?: RequestOptions): Promise<VmPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(UpdateVmDocument, { id, input, dryRun }, options)).updateVm;
  }

  async start(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmPayload> {
    return (await this.call(StartVmDocument, { id, dryRun: params.dryRun ?? false }, options)).startVm;
  }

  async stop(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmPayload> {
    return (await this.call(StopVmDocument, { id, dryRun: params.dryRun ?? false }, options)).stopVm;
  }

  async reboot(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmPayload> {
    return (await this.call(RebootVmDocument, { id, dryRun: params.dryRun ?? false }, options)).rebootVm;
  }

  /** Terminate a VM: its boot disk is released and its networks detached. */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmPayload> {
    return (await this.call(DeleteVmDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteVm;
  }

  /** Poll until the VM is in `status` (default RUNNING); throws if it settles in another state
   * (stopped, error, terminated) or after `timeout` milliseconds. */
  async waitForStatus(id: string, status: VmStatus = "RUNNING", params: VmWaitParams = {},
    options?: RequestOptions): Promise<Vm> {
    const { timeout = 600_000, interval = 1000 } = params;
    const deadline = Date.now() + timeout;
    for (;;) {
      const vm = await this.get(id, options);
      if (vm.status === status) return vm;
      if (SETTLED.includes(vm.status) || Date.now() >= deadline) {
        throw new ICGPUError(`VM ${id} is ${vm.status.toLowerCase()}, not ${status.toLowerCase()}: ${vm.statusReason ?? ""}`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /** Attach a VM to your network of this name; the VM gets the subnet's next free address. */
  async attachNetwork(vmId: string, params: VmAttachNetworkParams,
    options?: RequestOptions): Promise<VmNetworkAttachmentPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(AttachVmNetworkDocument, { vmId, input, dryRun }, options)).attachVmNetwork;
  }

  /** The networks a VM is attached to (at most 16: one list). */
  async networks(vmId: string, options?: RequestOptions): Promise<VmNetworkAttachment[]> {
    return (await this.call(ListVmNetworkAttachmentsDocument, { vmId }, options)).vmNetworkAttachments;
  }

  async detachNetwork(vmId: string, networkId: string, params: DryRunParam = {},
    options?: RequestOptions): Promise<VmNetworkAttachmentPayload> {
    const vars = { vmId, networkId, dryRun: params.dryRun ?? false };
    return (await this.call(DetachVmNetworkDocument, vars, options)).detachVmNetwork;
  }
}
