/** `new ICGPU({...})`: configuration and the resource namespaces. */

import { ICGPUError } from "./errors.js";
import { ApiKeys } from "./resources/api-keys.js";
import type { ClientContext } from "./resources/base.js";
import { Clusters } from "./resources/clusters.js";
import { Events } from "./resources/events.js";
import { Functions } from "./resources/functions.js";
import { GpuTiers } from "./resources/gpu-tiers.js";
import { Instances } from "./resources/instances.js";
import { Llm } from "./resources/llm.js";
import { ModelDeployments } from "./resources/model-deployments.js";
import { Notifications } from "./resources/notifications.js";
import { QuotasResource } from "./resources/quotas.js";
import { SlurmEnvironments } from "./resources/slurm-environments.js";
import { SpendingAlerts } from "./resources/spending-alerts.js";
import { SshKeyGroups } from "./resources/ssh-key-groups.js";
import { SshKeys } from "./resources/ssh-keys.js";
import { Teams } from "./resources/teams.js";
import { Tokens } from "./resources/tokens.js";
import { ViewerResource } from "./resources/viewer.js";
import { VmDisks } from "./resources/vm-disks.js";
import { VmNetworks } from "./resources/vm-networks.js";
import { VmTemplates } from "./resources/vm-templates.js";
import { Vms } from "./resources/vms.js";
import { Transport, type RequestOptions } from "./transport.js";
import type { Viewer } from "./types.js";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8000";
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ClientOptions {
  /**
   * An `sk-ic-...` API key or an OIDC access token (default: `ICGPU_API_KEY` where there is an
   * environment; `null`: no credential, for the public fields only).
   */
  apiKey?: string | null | undefined;
  /** The server (default: `ICGPU_BASE_URL`, else http://127.0.0.1:8000). */
  baseURL?: string | undefined;
  /** Retries of a throttled, unavailable or unreachable call (default 2). */
  maxRetries?: number | undefined;
  /** Milliseconds per attempt (default 60 000). */
  timeout?: number | undefined;
  /** A WebSocket constructor for subscriptions where there is no global one (Node 20: `import WebSocket from "ws"`). */
  webSocketImpl?: unknown;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

/** An environment variable where the platform has an environment (Node, Bun, Deno with --allow-env). */
function env(name: string): string | undefined {
  try {
    const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
    return value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

export class ICGPU {
  readonly baseURL: string;
  readonly gpuTiers: GpuTiers;
  readonly instances: Instances;
  readonly teams: Teams;
  readonly apiKeys: ApiKeys;
  readonly sshKeys: SshKeys;
  readonly sshKeyGroups: SshKeyGroups;
  readonly events: Events;
  readonly clusters: Clusters;
  readonly slurmEnvironments: SlurmEnvironments;
  readonly vmDisks: VmDisks;
  readonly vmTemplates: VmTemplates;
  readonly vms: Vms;
  readonly vmNetworks: VmNetworks;
  readonly quotas: QuotasResource;
  readonly functions: Functions;
  readonly modelDeployments: ModelDeployments;
  readonly tokens: Tokens;
  readonly spendingAlerts: SpendingAlerts;
  readonly notifications: Notifications;
  /** The OpenAI-compatible /v1 API: chat, streamed chat, embeddings, models. */
  readonly llm: Llm;
  readonly #viewer: ViewerResource;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey === null ? undefined : (options.apiKey ?? env("ICGPU_API_KEY"));
    this.baseURL = (options.baseURL ?? env("ICGPU_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new ICGPUError("maxRetries must be a whole number, 0 or more");
    if (!(timeout > 0)) throw new ICGPUError("timeout must be a positive number of milliseconds");
    const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (fetchImpl === undefined) throw new ICGPUError("no fetch on this platform: pass `fetch` to ICGPU");
    const context: ClientContext = {
      transport: new Transport({ apiKey, baseURL: this.baseURL, maxRetries, timeout, fetch: fetchImpl }),
      subscriptions: { apiKey, baseURL: this.baseURL, webSocketImpl: options.webSocketImpl },
    };
    this.gpuTiers = new GpuTiers(context);
    this.instances = new Instances(context);
    this.teams = new Teams(context);
    this.apiKeys = new ApiKeys(context);
    this.sshKeys = new SshKeys(context);
    this.sshKeyGroups = new SshKeyGroups(context);
    this.events = new Events(context);
    this.clusters = new Clusters(context);
    this.slurmEnvironments = new SlurmEnvironments(context);
    this.vmDisks = new VmDisks(context);
    this.vmTemplates = new VmTemplates(context);
    this.vms = new Vms(context);
    this.vmNetworks = new VmNetworks(context);
    this.quotas = new QuotasResource(context);
    this.functions = new Functions(context);
    this.modelDeployments = new ModelDeployments(context);
    this.tokens = new Tokens(context);
    this.spendingAlerts = new SpendingAlerts(context);
    this.notifications = new Notifications(context);
    this.llm = new Llm(context);
    this.#viewer = new ViewerResource(context);
  }

  /** Who is calling: account, tenant, teams with roles, and the credential's scopes and permissions. */
  me(options?: RequestOptions): Promise<Viewer> {
    return this.#viewer.get(options);
  }
}
