import { CreateApiKeyDocument, GetApiKeyDocument, ListApiKeysDocument, RevokeApiKeyDocument } from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { ApiKey, ApiKeyPayload, CreatedApiKey, DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export interface ApiKeyCreateParams extends DryRunParam {
  name: string;
  scopes: string[];
  /** `read`, `write` (default: read only). */
  permissions?: string[];
  expiresInDays?: number | null;
}

export class ApiKeys extends Resource {
  /**
   * Create an API key; its secret (`key`) is shown only here. Throws `SecretUnavailableError`
   * when a retry was answered by the replay of an attempt that had already created the key.
   */
  async create(params: ApiKeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey> {
    const { dryRun = false, ...input } = params;
    const result = await this.execute(CreateApiKeyDocument, { input, dryRun }, options);
    const payload = result.data.createApiKey;
    this.requireSecret(result, payload, payload.key, "API key", payload.apiKey.id);
    return payload;
  }

  /** Your API keys (never their secrets). */
  list(params: ListParams = {}, options?: RequestOptions): PageIterator<ApiKey> {
    return this.paginate(params, options, async (page, opts) => (await this.call(ListApiKeysDocument, page, opts)).apiKeys);
  }

  /** One of your API keys; a revoked key is not found. */
  async get(id: string, options?: RequestOptions): Promise<ApiKey> {
    return (await this.call(GetApiKeyDocument, { id }, options)).apiKey;
  }

  /** Revoke an API key; it stops working at once. */
  async revoke(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<ApiKeyPayload> {
    return (await this.call(RevokeApiKeyDocument, { id, dryRun: params.dryRun ?? false }, options)).revokeApiKey;
  }
}
