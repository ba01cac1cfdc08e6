/** client.vmDisks: persistent VM disks (create, list, get, attach, detach, resize, delete). */

import {
  AttachVmDiskDocument,
  CreateVmDiskDocument,
  DeleteVmDiskDocument,
  DetachVmDiskDocument,
  GetVmDiskDocument,
  ListVmDisksDocument,
  ResizeVmDiskDocument,
  type CreateVmDiskMutation,
  type VmDiskFieldsFragment,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type VmDisk = VmDiskFieldsFragment;
export type VmDiskPayload = CreateVmDiskMutation["createVmDisk"];

export interface VmDiskCreateParams extends DryRunParam {
  name: string;
  /** Size in GB; counts in the tenant's storage quota (with instance disks and VM boot disks). */
  sizeGb: number;
  /** Share the disk with this team. */
  teamId?: string | null;
}

export interface VmDiskListParams extends ListParams {
  /** Only the disks attached to this VM. */
  vmId?: string;
}

export class VmDisks extends Resource {
  async create(params: VmDiskCreateParams, options?: RequestOptions): Promise<VmDiskPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateVmDiskDocument, { input, dryRun }, options)).createVmDisk;
  }

  list(params: VmDiskListParams = {}, options?: RequestOptions): PageIterator<VmDisk> {
    const { vmId, ...page } = params;
    return this.paginate(page, options, async (vars, opts) =>
      (await this.call(ListVmDisksDocument, { ...vars, ...(vmId !== undefined ? { vmId } : {}) }, opts)).vmDisks,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<VmDisk> {
    return (await this.call(GetVmDiskDocument, { id }, options)).vmDisk;
  }

  /** Attach the disk to a VM of your tenant (a disk attached elsewhere is a ConflictError). */
  async attach(id: string, params: { vmId: string } & DryRunParam, options?: RequestOptions): Promise<VmDiskPayload> {
    return (await this.call(AttachVmDiskDocument, { id, vmId: params.vmId, dryRun: params.dryRun ?? false }, options))
      .attachVmDisk;
  }

  async detach(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmDiskPayload> {
    return (await this.call(DetachVmDiskDocument, { id, dryRun: params.dryRun ?? false }, options)).detachVmDisk;
  }

  /** Grow the disk to `sizeGb` (disks never shrink: a smaller size is a ValidationError). */
  async resize(id: string, params: { sizeGb: number } & DryRunParam, options?: RequestOptions): Promise<VmDiskPayload> {
    return (await this.call(ResizeVmDiskDocument, { id, sizeGb: params.sizeGb, dryRun: params.dryRun ?? false }, options))
      .resizeVmDisk;
  }

  /** Delete a detached disk; its storage goes back to the quota. */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmDiskPayload> {
    return (await this.call(DeleteVmDiskDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteVmDisk;
  }
}
