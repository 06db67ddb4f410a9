// Every minute: publishes what the auth outbox still holds.
import { outboxRelayHandler } from '../../layers/common/outbox-relay';

export const handler = outboxRelayHandler('auth');
