// GET /v1/users/me/notifications: the emails sent to the caller, newest first.
import { httpHandler, ok } from '../../layers/common/http';
import { realStore } from './deps';
import { notifications } from './manifest';
import type { NotificationStore } from './notifications';

export function makeHandler(store: () => NotificationStore) {
  return httpHandler('notifications', notifications.routes.myNotifications, async ({ query, caller }) =>
    ok(await store().sentTo(caller.userId, query.limit, query.cursor), {
      'cache-control': 'private, no-store',
    }),
  );
}

export const handler = makeHandler(realStore);
