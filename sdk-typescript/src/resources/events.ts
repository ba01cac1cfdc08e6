import { StreamEventsDocument } from "../generated/graphql.js";
import type { Event } from "../types.js";
import { Resource } from "./base.js";

export interface EventStreamParams {
  /** Exact event names, `instance.*` or `*` (default: every event on your resources). */
  types?: string[];
}

export class Events extends Resource {
  /** Events on your resources as they happen, until you `break` out of the loop. */
  async *stream(params: EventStreamParams = {}): AsyncGenerator<Event, void, undefined> {
    for await (const data of this.subscribe(StreamEventsDocument, params.types !== undefined ? { types: params.types } : {})) {
      yield data.events;
    }
  }
}
