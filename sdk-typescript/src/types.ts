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

/*
 * What mutations answer: `{ dryRun, valid, <resource> }` (`dryRun`: nothing was written, the
 * resource is shown as the call would leave it; `valid`: every check passed).
 */
export type InstancePayload = g.CreateInstanceMutation["createInstance"];
export type TeamPayload = g.CreateTeamMutation["createTeam"];
export type TeamMemberPayload = g.AddTeamMemberMutation["addTeamMember"];
export type ApiKeyPayload = g.RevokeApiKeyMutation["revokeApiKey"];
export type SshKeyPayload = g.UploadSshKeyMutation["uploadSshKey"];
export type SshKeyGroupPayload = g.CreateSshKeyGroupMutation["createSshKeyGroup"];
/** A new API key and, once, its secret `key` (null only in a dry run: a replay throws `SecretUnavailableError`). */
export type CreatedApiKey = g.CreateApiKeyMutation["createApiKey"];
/** A generated SSH key and, once, its `privateKey` (null only in a dry run: a replay throws `SecretUnavailableError`). */
export type GeneratedSshKey = g.GenerateSshKeyMutation["generateSshKey"];
