import {
  AddSshKeyToGroupDocument,
  CreateSshKeyGroupDocument,
  DeleteSshKeyGroupDocument,
  GetSshKeyGroupDocument,
  ListSshKeyGroupsDocument,
  RemoveSshKeyFromGroupDocument,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams, SshKeyGroup, SshKeyGroupPayload } from "../types.js";
import { Resource } from "./base.js";

export interface SshKeyGroupCreateParams extends DryRunParam {
  name: string;
  description?: string;
}

export class SshKeyGroups extends Resource {
  async create(params: SshKeyGroupCreateParams, options?: RequestOptions): Promise<SshKeyGroupPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateSshKeyGroupDocument, { input, dryRun }, options)).createSshKeyGroup;
  }

  /** Your SSH key groups with their keys. */
  list(params: ListParams = {}, options?: RequestOptions): PageIterator<SshKeyGroup> {
    return this.paginate(params, options, async (page, opts) => (await this.call(ListSshKeyGroupsDocument, page, opts)).sshKeyGroups);
  }

  async get(id: string, options?: RequestOptions): Promise<SshKeyGroup> {
    return (await this.call(GetSshKeyGroupDocument, { id }, options)).sshKeyGroup;
  }

  /** Add one of your SSH keys to a group. */
  async addKey(groupId: string, sshKeyId: string, params: DryRunParam = {}, options?: RequestOptions): Promise<SshKeyGroupPayload> {
    return (await this.call(AddSshKeyToGroupDocument, { groupId, sshKeyId, dryRun: params.dryRun ?? false }, options)).addSshKeyToGroup;
  }

  /** Take an SSH key out of a group. */
  async removeKey(groupId: string, sshKeyId: string, params: DryRunParam = {}, options?: RequestOptions): Promise<SshKeyGroupPayload> {
    return (await this.call(RemoveSshKeyFromGroupDocument, { groupId, sshKeyId, dryRun: params.dryRun ?? false }, options)).removeSshKeyFromGroup;
  }

  /** Delete a group (its keys stay). */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<SshKeyGroupPayload> {
    return (await this.call(DeleteSshKeyGroupDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteSshKeyGroup;
  }
}
