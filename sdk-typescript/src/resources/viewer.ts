import { GetViewerDocument } from "../generated/graphql.js";
import type { RequestOptions } from "../transport.js";
import type { Viewer } from "../types.js";
import { Resource } from "./base.js";

/** The caller (`client.me()`). */
export class ViewerResource extends Resource {
  async get(options?: RequestOptions): Promise<Viewer> {
    return (await this.call(GetViewerDocument, {}, options)).viewer;
  }
}
