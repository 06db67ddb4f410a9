// Every minute: publishes what the events outbox still holds (EventCancelled a request could not publish itself).
import { outboxRelayHandler } from '../../layers/common/outbox-relay';

export const handler = outboxRelayHandler('events');
