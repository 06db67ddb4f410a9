// The ticket-events consumer on its own: which messages send email, which are ignored, which fail to the DLQ.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { TicketMessageTypes, type TicketPurchasedV1 } from '../../../events/contracts/tickets';
import { makeHandler } from '../../../functions/notifications/ticket-events.consumer';
import { envelope } from '../../../layers/common/messages';
import { sqsEvent as recordsOf } from '../../support/sqs';
import { fakeDeps } from './fakes';

const sqsEvent = (...bodies: string[]) =>
  recordsOf('arn:aws:sqs:us-east-1:000000000000:notifications-ticket-events', ...bodies);
// A context as Lambda gives one (the consumer wrapper reads the invocation's remaining time).
const context = {
  functionName: 'notifications-ticketEvents',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 20_000,
} as Context;

function purchase(): TicketPurchasedV1 {
  const tierId = randomUUID();
  return {
    orderId: randomUUID(),
    eventId: randomUUID(),
    buyer: { userId: randomUUID(), email: 'ada@example.com', firstName: 'Ada' },
    event: {
      name: 'Show',
      startsAt: '2027-03-01T19:00:00Z',
      endsAt: '2027-03-01T22:00:00Z',
      timezone: 'Europe/Paris',
      place: 'Olympia',
    },
    items: [{ tierId, tierName: 'Standard', quantity: 1, unitPrice: 2500 }],
    tickets: [{ id: randomUUID(), tierId, tierName: 'Standard', code: 'ABC123' }],
    total: 2500,
    currency: 'EUR',
  };
}

const { type, version } = TicketMessageTypes.TicketPurchased;
const body = (data: unknown, messageVersion: number = version, messageType: string = type) =>
  JSON.stringify(envelope('tickets', messageType, messageVersion, data, 'corr'));

describe('ticket-events consumer', () => {
  it('emails a confirmation and fails only the records that break the contract', async () => {
    const { deps, mailer } = fakeDeps();
    const handler = makeHandler(() => deps);

    const response = await handler(
      sqsEvent(
        body(purchase()),
        body({ orderId: 'not-a-uuid' }),
        body(purchase(), 2),
        'not json',
        body({ anything: true }, 1, 'SomethingElse'),
      ),
      context,
    );

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'sqs-1',
      'sqs-2',
      'sqs-3',
    ]);
    expect(mailer.sent).toHaveLength(1);
  });

  it('fails the record when the mail server refuses, so the message is redelivered', async () => {
    const { deps, mailer } = fakeDeps();
    mailer.failNext(1);
    const response = await makeHandler(() => deps)(sqsEvent(body(purchase()), body(purchase())), context);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(mailer.sent).toHaveLength(1);
  });
});
