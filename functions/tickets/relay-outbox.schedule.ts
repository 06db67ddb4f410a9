// Every minute: publishes what the tickets outbox still holds.
import { outboxRelayHandler } from '../../layers/common/outbox-relay';

export const handler = outboxRelayHandler('tickets');
