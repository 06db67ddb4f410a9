// Every minute: publishes what the users outbox still holds.
import { outboxRelayHandler } from '../../layers/common/outbox-relay';

export const handler = outboxRelayHandler('users');
