import { DeleteSshKeyDocument, GenerateSshKeyDocument, GetSshKeyDocument, ListSshKeysDocument, UploadSshKeyDocument } from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, GeneratedSshKey, ListParams, SshKey, SshKeyPayload } from "../types.js";
import { Resource } from "./base.js";

export interface SshKeyCreateParams extends DryRunParam {
  name: string;
  /** An OpenSSH public key line (`ssh-ed25519 AAAA... comment`). */
  publicKey: string;
}

export interface SshKeyGenerateParams extends DryRunParam {
  name: string;
}

export class SshKeys extends Resource {
  /** Upload an SSH public key. */
  async create(params: SshKeyCreateParams, options?: RequestOptions): Promise<SshKeyPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(UploadSshKeyDocument, { input, dryRun }, options)).uploadSshKey;
  }

  /**
   * Generate an ed25519 pair: the private key is returned once and never stored. Throws
   * `SecretUnavailableError` when a retry was answered by the replay of an attempt that committed.
   */
  async generate(params: SshKeyGenerateParams, options?: RequestOptions): Promise<GeneratedSshKey> {
    const { dryRun = false, name } = params;
    const result = await this.execute(GenerateSshKeyDocument, { name, dryRun }, options);
    const payload = result.data.generateSshKey;
    this.requireSecret(result, payload, payload.privateKey, "SSH key", payload.sshKey.id);
    return payload;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<SshKey> {
    return this.paginate(params, options, async (page, opts) => (await this.call(ListSshKeysDocument, page, opts)).sshKeys);
  }

  async get(id: string, options?: RequestOptions): Promise<SshKey> {
    return (await this.call(GetSshKeyDocument, { id }, options)).sshKey;
  }

  /** Delete an SSH key (and take it out of groups). */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<SshKeyPayload> {
    return (await this.call(DeleteSshKeyDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteSshKey;
  }
}
