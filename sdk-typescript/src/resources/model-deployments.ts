/** client.modelDeployments: model deployments addressed by name (deploy, list, get, scale, stop,
 * delete) and the platform's model catalogue. The Hugging Face token is write-only: responses only
 * say whether one is set (`huggingfaceTokenSet`). */

import {
  DeleteModelDocument,
  DeployModelDocument,
  GetModelDeploymentDocument,
  ListModelDeploymentsDocument,
  ModelCatalogueDocument,
  ScaleModelDocument,
  StopModelDocument,
  type CatalogueModelFieldsFragment,
  type DeployModelMutation,
  type ModelDeploymentFieldsFragment,
} from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { DryRunParam, ListParams } from "../types.js";
import { Resource } from "./base.js";

export type ModelDeployment = ModelDeploymentFieldsFragment;
export type ModelDeploymentPayload = DeployModelMutation["deployModel"];
export type CatalogueModel = CatalogueModelFieldsFragment;

export interface ModelDeployParams extends DryRunParam {
  /** 1-63 lowercase letters, digits and hyphens; unique in your tenant, not a catalogue alias. The
   * model name of `/v1` calls. */
  name: string;
  /** The Hugging Face id served, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
  model: string;
  /** `vllm` (default), `sglang` or `ollama`. */
  engine?: string;
  /** `chat` or `embedding` (default: the catalogue's kind for the model, else `chat`). */
  kind?: string | null;
  /** 0-16, default 0: at zero the deployment scales to zero when idle and the next call wakes it. */
  minReplicas?: number;
  /** 1-16, default 1. */
  maxReplicas?: number;
  /** `nvidia-gpu-dedicated`, `nvidia-gpu-mig`, `nvidia-gpu-timesliced` (default) or `cpu`. */
  resourceProfile?: string;
  /** Write-only: stored encrypted, never returned. */
  huggingfaceToken?: string | null;
  /** Share the deployment with this team. */
  teamId?: string | null;
}

export interface ModelScaleParams extends DryRunParam {
  /** A bound not given keeps its value. */
  minReplicas?: number | null;
  maxReplicas?: number | null;
}

export class ModelDeployments extends Resource {
  async deploy(params: ModelDeployParams, options?: RequestOptions): Promise<ModelDeploymentPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(DeployModelDocument, { input, dryRun }, options)).deployModel;
  }

  list(params: ListParams = {}, options?: RequestOptions): PageIterator<ModelDeployment> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListModelDeploymentsDocument, page, opts)).modelDeployments,
    );
  }

  async get(name: string, options?: RequestOptions): Promise<ModelDeployment> {
    return (await this.call(GetModelDeploymentDocument, { name }, options)).modelDeployment;
  }

  /** Change the replica bounds. */
  async scale(name: string, params: ModelScaleParams, options?: RequestOptions): Promise<ModelDeploymentPayload> {
    const { dryRun = false, ...input } = params;
    return (await this.call(ScaleModelDocument, { name, input, dryRun }, options)).scaleModel;
  }

  /** Scale to zero now; the deployment stays callable and the next call wakes it. */
  async stop(name: string, params: DryRunParam = {}, options?: RequestOptions): Promise<ModelDeploymentPayload> {
    return (await this.call(StopModelDocument, { name, dryRun: params.dryRun ?? false }, options)).stopModel;
  }

  /** Delete the deployment; its replicas are stopped. */
  async delete(name: string, params: DryRunParam = {}, options?: RequestOptions): Promise<ModelDeploymentPayload> {
    return (await this.call(DeleteModelDocument, { name, dryRun: params.dryRun ?? false }, options)).deleteModel;
  }

  /** The platform's pre-tested models, callable by alias on `/v1`. */
  async catalogue(options?: RequestOptions): Promise<CatalogueModel[]> {
    return (await this.call(ModelCatalogueDocument, {}, options)).modelCatalogue;
  }
}
