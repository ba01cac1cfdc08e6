/** client.vmTemplates: the VM template catalogue (no credential needed). */

import { GetVmTemplateDocument, ListVmTemplatesDocument, type VmTemplateFieldsFragment } from "../generated/graphql.js";
import type { RequestOptions } from "../transport.js";
import { Resource } from "./base.js";

export type VmTemplate = VmTemplateFieldsFragment;

export class VmTemplates extends Resource {
  /** Every template (one list, not paged). */
  async list(options?: RequestOptions): Promise<VmTemplate[]> {
    return (await this.call(ListVmTemplatesDocument, {}, options)).vmTemplates;
  }

  async get(id: string, options?: RequestOptions): Promise<VmTemplate> {
    return (await this.call(GetVmTemplateDocument, { id }, options)).vmTemplate;
  }
}
