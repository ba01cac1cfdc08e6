/** client.vmNetworks: private networks (create, list, get, delete), their subnets and firewall rules. */

import {
  CreateFirewallRuleDocument,
  CreateSubnetDocument,
  CreateVmNetworkDocument,
  DeleteFirewallRuleDocument,
  DeleteSubnetDocument,
  DeleteVmNetworkDocument,
  GetVmNetworkDocument,
  ListFirewallRulesDocument,
  ListSubnetsDocument,
  ListVmNetworksDocument,
  type CreateFirewallRuleMutation,
  type CreateSubnetMutation,
  type CreateVmNetworkMutation,
  type FirewallRuleFieldsFragment,
  type SubnetFieldsFragment,
  type VmNetworkFieldsFragment,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type VmNetwork = VmNetworkFieldsFragment;
export type VmNetworkPayload = CreateVmNetworkMutation["createVmNetwork"];
export type Subnet = SubnetFieldsFragment;
export type SubnetPayload = CreateSubnetMutation["createSubnet"];
export type FirewallRule = FirewallRuleFieldsFragment;
export type FirewallRulePayload = CreateFirewallRuleMutation["createFirewallRule"];

export interface VmNetworkCreateParams extends DryRunParam {
  /** Unique among your networks. */
  name: string;
  description?: string;
  /** Share the network with this team. */
  teamId?: string | null;
}

export interface SubnetCreateParams extends DryRunParam {
  name: string;
  /** A private range (RFC 1918 or RFC 4193) without host bits, /30 or larger, overlapping no other subnet. */
  cidr: string;
}

export interface FirewallRuleCreateParams extends DryRunParam {
  direction: "ingress" | "egress";
  protocol: "tcp" | "udp" | "icmp" | "all";
  /** "22" or "8000-8100": required for tcp and udp, absent for icmp and all. */
  portRange?: string | null;
  /** A CIDR. */
  source: string;
  action: "allow" | "deny";
  description?: string;
}

export class VmNetworks extends Resource {
  async create(params: VmNetworkCreateParams, options?: RequestOptions): Promise<VmNetworkPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateVmNetworkDocument, { input, dryRun }, options)).createVmNetwork;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<VmNetwork> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListVmNetworksDocument, page, opts)).vmNetworks,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<VmNetwork> {
    return (await this.call(GetVmNetworkDocument, { id }, options)).vmNetwork;
  }

  /** Delete a network with its subnets and rules (ConflictError NetworkInUse while VMs are attached). */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<VmNetworkPayload> {
    return (await this.call(DeleteVmNetworkDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteVmNetwork;
  }

  async createSubnet(networkId: string, params: SubnetCreateParams, options?: RequestOptions): Promise<SubnetPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateSubnetDocument, { networkId, input, dryRun }, options)).createSubnet;
  }

  subnets(networkId: string, params: ListParams = {}, options?: RequestOptions): PageIterator<Subnet> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListSubnetsDocument, { networkId, ...page }, opts)).subnets,
    );
  }

  async deleteSubnet(networkId: string, id: string, params: DryRunParam = {},
    options?: RequestOptions): Promise<SubnetPayload> {
    const vars = { networkId, id, dryRun: params.dryRun ?? false };
    return (await this.call(DeleteSubnetDocument, vars, options)).deleteSubnet;
  }

  async createFirewallRule(networkId: string, params: FirewallRuleCreateParams,
    options?: RequestOptions): Promise<FirewallRulePayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateFirewallRuleDocument, { networkId, input, dryRun }, options)).createFirewallRule;
  }

  firewallRules(networkId: string, params: ListParams = {}, options?: RequestOptions): PageIterator<FirewallRule> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListFirewallRulesDocument, { networkId, ...page }, opts)).firewallRules,
    );
  }

  async deleteFirewallRule(networkId: string, id: string, params: DryRunParam = {},
    options?: RequestOptions): Promise<FirewallRulePayload> {
    const vars = { networkId, id, dryRun: params.dryRun ?? false };
    return (await this.call(DeleteFirewallRuleDocument, vars, options)).deleteFirewallRule;
  }
}
