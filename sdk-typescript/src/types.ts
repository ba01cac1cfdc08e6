/**
 * The resource types the client returns: one alias per fragment of schema/operations/fragments.graphql
 * (generated into ./generated/graphql.ts). A new resource adds its alias here.
 */

import type * as g from "./generated/graphql.js";

export type Account = g.AccountFieldsFragment;
export type GpuTier = g.GpuTierFieldsFragment;
export type Instance = g.InstanceFieldsFragment;
export type InstanceStatusEvent = g.InstanceStatusEventFieldsFragment;
export type Tenant = g.TenantFieldsFragment;
export type Team = g.TeamFieldsFragment;
export type TeamMember = g.TeamMemberFieldsFragment;
export type TeamMembership = g.TeamMembershipFieldsFragment;
export type Viewer = g.ViewerFieldsFragment;
export type ApiKey = g.ApiKeyFieldsFragment;
export type SshKey = g.SshKeyFieldsFragment;
export type SshKeyGroup = g.SshKeyGroupFieldsFragment;
export type Event = g.EventFieldsFragment;

export type InstanceStatus = g.InstanceStatus;
export type TeamRole = g.TeamRole;
export type WorkloadType = g.WorkloadType;

/** Every mutation takes a dry run: every check, nothing written; the result shows what the call would do. */
export interface DryRunParam {
  dryRun?: boolean;
}

/** Parameters of every list: page size (1-100) and where to start. */
export interface ListParams {
  maxResults?: number;
  nextToken?: string;
}

/** A new API key and its secret, shown once. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The full secret (`sk-ic-...`); null only in a dry run (no key was made). */
  key: string | null;
}

/** A generated SSH key pair: the public half stored, the private half shown once. */
export interface GeneratedSshKey {
  sshKey: SshKey;
  /** The OpenSSH private key; null only in a dry run. */
  privateKey: string | null;
}
