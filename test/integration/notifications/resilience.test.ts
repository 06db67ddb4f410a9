// Failure handling: with the mail server stopped, sends fail and are retried until it is back, then each email goes
// out exactly once; a message that breaks the contract ends in the dead-letter queue without holding up the rest.
// The queues redeliver after 2 s here instead of 30 s, so retries happen within the test's time.
import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TicketMessageTypes } from '../../../events/contracts/tickets';
import { envelope } from '../../../layers/common/messages';
import type { Platform } from '../../../local/platform';
import { receiveBodies } from '../../support/sqs';
import {
  drained,
  emailsFor,
  eventually,
  inbox,
  newBuyer,
  newEvent,
  notificationsPlatform,
  notificationsWith,
  publish,
  purchased,
} from './support';

let platform: Platform;
let db: pg.Pool;
let sqs: SQSClient;

notificationsPlatform({ service: notificationsWith(2) }, (started) => {
  ({ platform, db } = started);
  sqs = new SQSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
});
afterAll(() => {
  sqs?.destroy();
});

describe('with the mail server down', () => {
  it('retries the sends and delivers each email exactly once when the server is back', async () => {
    const buyers = [newBuyer(), newBuyer(), newBuyer()];
    const messages = buyers.map((buyer) => purchased(buyer, newEvent()));
    const orderIds = messages.map((message) => message.data.orderId);
    await platform.mailServer.stop();
    let restarted = false;
    try {
      await publish(...messages);

      // Every email has been tried (inline retries included) and failed at least twice: the claims were released.
      const failed = await eventually(async () => {
        const { rows } = await db.query<{ status: string; attempts: number; last_error: string }>(
          'SELECT status, attempts, last_error FROM deliveries WHERE order_id = ANY($1::uuid[])',
          [orderIds],
        );
        return rows.length === 3 && rows.every((row) => row.attempts >= 2) ? rows : undefined;
      }, 30_000);
      expect(failed.every((row) => row.last_error)).toBe(true);
      const sent = await db.query(
        "SELECT count(*)::int AS n FROM deliveries WHERE order_id = ANY($1::uuid[]) AND status = 'sent'",
        [orderIds],
      );
      expect(sent.rows[0]?.n).toBe(0);

      await platform.mailServer.start();
      restarted = true;
      for (const buyer of buyers) await emailsFor(platform.mailUrl, buyer.email, 1, 30_000);
      // Every copy still in flight (redeliveries of the failed sends) is consumed: each must find its email sent.
      await drained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '');

      for (const buyer of buyers) expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(1);
      const { rows } = await db.query('SELECT status FROM deliveries WHERE order_id = ANY($1::uuid[])', [
        orderIds,
      ]);
      expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
    } finally {
      if (!restarted) await platform.mailServer.start();
    }
  });
});

describe('two copies of one message consumed at the same time', () => {
  it('send one email: the copy that finds the other sending retries later and finds it sent', async () => {
    const buyer = newBuyer();
    const message = purchased(buyer, newEvent());

    const body = JSON.stringify(message);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: platform.queueUrls['notifications-ticket-events'],
        Entries: [
          { Id: 'first', MessageBody: body },
          { Id: 'second', MessageBody: body },
        ],
      }),
    );
    await emailsFor(platform.mailUrl, buyer.email);
    await drained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '');

    expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(1);
  });
});

describe('a poison message', () => {
  it('ends in the dead-letter queue while a valid message sent with it is delivered', async () => {
    const buyer = newBuyer();
    const good = purchased(buyer, newEvent());
    const { type, version } = TicketMessageTypes.TicketPurchased;
    const poison = envelope(
      'tickets',
      type,
      version,
      { orderId: randomUUID(), buyer: 'nobody' },
      'poison-test',
    );

    await publish(poison, good);

    await emailsFor(platform.mailUrl, buyer.email, 1);
    const dlqUrl = platform.queueUrls['notifications-ticket-events-dlq'];
    const dead = await eventually(
      async () => {
        const bodies = await receiveBodies(sqs, dlqUrl);
        return bodies.some((body) => body.includes(poison.id)) ? bodies : undefined;
      },
      50_000,
      'poison message in the DLQ',
    );
    expect(dead.some((body) => body.includes(good.id))).toBe(false);
    expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(1);
  });
});
