import {
  AddTeamMemberDocument,
  CreateTeamDocument,
  GetTeamDocument,
  ListTeamMembersDocument,
  ListTeamsDocument,
  RemoveTeamMemberDocument,
  UpdateTeamMemberDocument,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams, Team, TeamMember, TeamMemberPayload, TeamPayload, TeamRole } from "../types.js";
import { Resource } from "./base.js";

export interface TeamCreateParams extends DryRunParam {
  name: string;
  description?: string;
}

export interface TeamListParams extends ListParams {
  /** Only the teams you are a member of. */
  mineOnly?: boolean;
}

/** Exactly one of `accountId` and `email`. */
export type TeamMemberAddParams = DryRunParam & { role?: TeamRole } & (
  | { accountId: string; email?: undefined }
  | { email: string; accountId?: undefined }
);

export interface TeamMemberUpdateParams extends DryRunParam {
  role: TeamRole;
}

export class Teams extends Resource {
  /** Create a team; you become its owner. */
  async create(params: TeamCreateParams, options?: RequestOptions): Promise<TeamPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateTeamDocument, { input, dryRun }, options)).createTeam;
  }

  /** Every team in your tenant (with your role, null where you are not a member). */
  list(params: TeamListParams = {}, options?: RequestOptions): PageIterator<Team> {
    const { mineOnly } = params;
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListTeamsDocument, { ...page, ...(mineOnly !== undefined ? { mineOnly } : {}) }, opts)).teams,
    );
  }

  /** The teams you are a member of. */
  my(params: ListParams = {}, options?: RequestOptions): PageIterator<Team> {
    return this.list({ ...params, mineOnly: true }, options);
  }

  async get(id: string, options?: RequestOptions): Promise<Team> {
    return (await this.call(GetTeamDocument, { id }, options)).team;
  }

  /** A team's members (members only). */
  members(teamId: string, params: ListParams = {}, options?: RequestOptions): PageIterator<TeamMember> {
    return this.paginate(params, options, async (page, opts) => (await this.call(ListTeamMembersDocument, { teamId, ...page }, opts)).teamMembers);
  }

  /** Add a person by account id or by email. */
  async addMember(teamId: string, params: TeamMemberAddParams, options?: RequestOptions): Promise<TeamMemberPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(AddTeamMemberDocument, { teamId, input, dryRun }, options)).addTeamMember;
  }

  /** Change a member's role. */
  async updateMember(teamId: string, memberId: string, params: TeamMemberUpdateParams, options?: RequestOptions): Promise<TeamMemberPayload> {
    const { dryRun = false, role } = params;
    return (await this.call(UpdateTeamMemberDocument, { teamId, memberId, role, dryRun }, options)).updateTeamMember;
  }

  /** Remove a member (or leave the team). */
  async removeMember(teamId: string, memberId: string, params: DryRunParam = {}, options?: RequestOptions): Promise<TeamMemberPayload> {
    return (await this.call(RemoveTeamMemberDocument, { teamId, memberId, dryRun: params.dryRun ?? false }, options)).removeTeamMember;
  }
}
