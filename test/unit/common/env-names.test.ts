// The environment-variable names the README documents are the ones the runtime, the CDK app and the functions use.
import { describe, expect, it } from 'vitest';
import {
  databaseHostEnv,
  databaseSecretArnEnv,
  databaseUrlEnv,
  functionNameEnv,
  queueUrlEnv,
  topicArnEnv,
} from '../../../layers/common/env-names';

describe('environment-variable names', () => {
  it('locate topics, queues and internal functions by their manifest names', () => {
    expect(topicArnEnv('ticket-events')).toBe('TOPIC_ARN_TICKET_EVENTS');
    expect(queueUrlEnv('log-shipper-dlq')).toBe('QUEUE_URL_LOG_SHIPPER_DLQ');
    expect(functionNameEnv('tickets.syncInventory')).toBe('FUNCTION_NAME_TICKETS_SYNCINVENTORY');
  });

  it("locate a service's database locally and in AWS", () => {
    expect(databaseUrlEnv('events')).toBe('EVENTS_DATABASE_URL');
    expect(databaseHostEnv('events')).toBe('EVENTS_DB_HOST');
    expect(databaseSecretArnEnv('events')).toBe('EVENTS_DB_SECRET_ARN');
  });
});
