/** client.clusters: virtual Kubernetes clusters: versions, create, list, get, kubeconfig, delete,
 * and wait until the control plane runs. */

import {
  CreateClusterDocument,
  DeleteClusterDocument,
  GetClusterDocument,
  GetClusterKubeconfigDocument,
  ListClusterVersionsDocument,
  ListClustersDocument,
  type ClusterFieldsFragment,
  type CreateClusterMutation,
  type KubeconfigFieldsFragment,
} from "../generated/graphql.js";
import { ICGPUError } from "../errors.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type Cluster = ClusterFieldsFragment;
export type ClusterPayload = CreateClusterMutation["createCluster"];
/** The kubeconfig (`kubeconfig`, YAML) and its parts; it holds the cluster's credential: a bearer `token`, or a
 * client certificate and its key (`clientCertificateData`, `clientKeyData`, base64 PEM). Exactly one of the two
 * is set, the other null. */
export type Kubeconfig = KubeconfigFieldsFragment;

export interface ClusterCreateParams extends DryRunParam {
  name: string;
  /** A Kubernetes version from `client.clusters.versions()`; the server's default is the newest. */
  version?: string;
  /** Share the cluster with this team. */
  teamId?: string | null;
}

export interface ClusterWaitParams {
  /** Give up after this many milliseconds (default 10 minutes). */
  timeout?: number;
  /** Poll every this many milliseconds (default 1000). */
  interval?: number;
}

export class Clusters extends Resource {
  /** Kubernetes versions a new cluster may run, oldest first; the last is the default. */
  async versions(options?: RequestOptions): Promise<string[]> {
    return (await this.call(ListClusterVersionsDocument, {}, options)).clusterVersions;
  }

  async create(params: ClusterCreateParams, options?: RequestOptions): Promise<ClusterPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(CreateClusterDocument, { input, dryRun }, options)).createCluster;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<Cluster> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListClustersDocument, page, opts)).clusters,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<Cluster> {
    return (await this.call(GetClusterDocument, { id }, options)).cluster;
  }

  /** The cluster's kubeconfig; NotFoundError once the cluster is deleted (its credential is revoked). */
  async kubeconfig(id: string, options?: RequestOptions): Promise<Kubeconfig> {
    return (await this.call(GetClusterKubeconfigDocument, { id }, options)).clusterKubeconfig;
  }

  /** Delete a cluster: its credential is revoked at once, its control plane removed. */
  async delete(id: string, params: DryRunParam = {}, options?: RequestOptions): Promise<ClusterPayload> {
    return (await this.call(DeleteClusterDocument, { id, dryRun: params.dryRun ?? false }, options)).deleteCluster;
  }

  /** Poll until the control plane runs; throws if the cluster fails or is deleted, or after
   * `timeout` milliseconds. */
  async waitRunning(id: string, params: ClusterWaitParams = {}, options?: RequestOptions): Promise<Cluster> {
    const { timeout = 600_000, interval = 1000 } = params;
    const deadline = Date.now() + timeout;
    for (;;) {
      const cluster = await this.get(id, options);
      if (cluster.status === "RUNNING") return cluster;
      if (["ERROR", "DELETING", "TERMINATED"].includes(cluster.status) || Date.now() >= deadline) {
        throw new ICGPUError(`cluster ${id} is ${cluster.status.toLowerCase()}: ${cluster.statusReason ?? ""}`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
