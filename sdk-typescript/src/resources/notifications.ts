/** client.notifications: your in-app notifications (left by IN_APP spending alerts), oldest first. */

import { ListNotificationsDocument, type NotificationFieldsFragment } from "../generated/graphql.js";
import type { PageIterator } from "../pagination.js";
import type { RequestOptions } from "../transport.js";
import type { ListParams } from "../types.js";
import { Resource } from "./base.js";

export type Notification = NotificationFieldsFragment;

export class Notifications extends Resource {
  list(params: ListParams = {}, options?: RequestOptions): PageIterator<Notification> {
    return this.paginate(params, options, async (page, opts) =>
      (await this.call(ListNotificationsDocument, page, opts)).notifications,
    );
  }
}
