// A restart of the local runtime (Ctrl-C or a crash, then `npm run dev` again without --fresh) keeps every queue as
// the AWS services it stands in for would: waiting messages, messages in flight and dead letters are all still there
// and still delivered, so an order confirmed before the restart still gets its email.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TICKET_EVENTS_TOPIC } from '../../../events/contracts/tickets';
import { manifests as allManifests } from '../../../functions/manifests';
import { awsPublisher } from '../../../layers/common/publisher';
import type { Platform } from '../../../local/platform';
import { type PayableOrder, paidOrder } from '../../support/payments';
import { startTestPlatform, type TestPlatformOptions, testPorts } from '../../support/platform';
import { buy, buyerHeaders, putOnSale } from '../../support/purchases';
import { startTestIssuer } from '../../support/tokens';
import {
  emailsFor,
  eventually,
  newBuyer,
  newEvent,
  notificationsWith,
  purchased,
  ticketsTopic,
} from '../notifications/support';

const QUEUE = 'notifications-ticket-events';
let platform: Platform | undefined;
afterEach(async () => {
  await platform?.stop();
  platform = undefined;
});

// One set of ports for the file: the functions' AWS clients, created once per process as in a Lambda container, keep
// the endpoint they were created with.
const ports = testPorts();

/** The same platform (data folder and ports) each time it is started: a developer's `npm run dev` twice. */
async function samePlatform(options: TestPlatformOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tol-restart-'));
  return async (consumers: boolean) => {
    platform = await startTestPlatform({
      ...options,
      dataDir,
      ports: await ports,
      consumers,
      schedules: false,
    });
    return platform;
  };
}

async function queueDepth(sqs: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

describe('restarting the local runtime', () => {
  it('keeps waiting messages, messages in flight and dead letters, and delivers them after the restart', async () => {
    const start = await samePlatform({ manifests: [ticketsTopic, notificationsWith(2)] });
    const first = await start(false);
    const sqs = new SQSClient({ endpoint: first.awsEndpoint, region: 'us-east-1' });
    const waitingBuyer = newBuyer('Wanda');
    const inFlightBuyer = newBuyer('Ines');
    const deadLetter = `dead-${randomUUID()}`;
    try {
      await awsPublisher.publish({ topic: TICKET_EVENTS_TOPIC }, [purchased(inFlightBuyer, newEvent())]);
      // A consumer took this one and the runtime stopped before it finished: its receipt is still out.
      const taken = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: first.queueUrls[QUEUE],
          VisibilityTimeout: 3,
          WaitTimeSeconds: 5,
        }),
      );
      expect(taken.Messages).toHaveLength(1);
      await awsPublisher.publish({ topic: TICKET_EVENTS_TOPIC }, [purchased(waitingBuyer, newEvent())]);
      await sqs.send(
        new SendMessageCommand({ QueueUrl: first.queueUrls[`${QUEUE}-dlq`], MessageBody: deadLetter }),
      );
      expect(await queueDepth(sqs, first.queueUrls[QUEUE] ?? '')).toEqual({ waiting: 1, inFlight: 1 });
    } finally {
      sqs.destroy();
      await first.stop();
      platform = undefined;
    }

    const second = await start(true);
    await emailsFor(second.mailUrl, waitingBuyer.email, 1);
    await emailsFor(second.mailUrl, inFlightBuyer.email, 1);
    const after = new SQSClient({ endpoint: second.awsEndpoint, region: 'us-east-1' });
    try {
      const dead = await after.send(
        new ReceiveMessageCommand({ QueueUrl: second.queueUrls[`${QUEUE}-dlq`], WaitTimeSeconds: 2 }),
      );
      expect(dead.Messages?.map((message) => message.Body)).toEqual([deadLetter]);
    } finally {
      after.destroy();
    }
  });
});

describe('emails being sent when the runtime died', () => {
  it('are sent within half a minute of the restart, not after their 120 s visibility timeout', async () => {
    const notifications = allManifests.find((manifest) => manifest.service === 'notifications');
    if (!notifications) throw new Error('no notifications manifest');
    const start = await samePlatform({ manifests: [ticketsTopic, notifications] });
    const first = await start(false);
    const sqs = new SQSClient({ endpoint: first.awsEndpoint, region: 'us-east-1' });
    // More than the ten receipts one call brings back at once.
    const buyers = Array.from({ length: 12 }, (_, index) => newBuyer(`Iris${index}`));
    try {
      for (let from = 0; from < buyers.length; from += 10) {
        await awsPublisher.publish(
          { topic: TICKET_EVENTS_TOPIC },
          buyers.slice(from, from + 10).map((buyer) => purchased(buyer, newEvent())),
        );
      }
      // Received by consumers with the queue's own visibility timeout; the runtime dies before they are done.
      let taken = 0;
      await eventually(async () => {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: first.queueUrls[QUEUE],
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        taken += received.Messages?.length ?? 0;
        return taken === buyers.length ? true : undefined;
      });
    } finally {
      sqs.destroy();
      await first.stop();
      platform = undefined;
    }

    // Every consumer of the first run died with it: the messages come back once their attempts and send claims would
    // be over (the consumer's 20 s timeout + 5 s), where waiting out the visibility timeout would take 120 s.
    const second = await start(true);
    for (const buyer of buyers) {
      const [confirmation] = await emailsFor(second.mailUrl, buyer.email, 1, 60_000);
      expect(confirmation?.subject).toContain('Your tickets');
    }
  });
});

describe('an order confirmed just before a restart', () => {
  const issuer = startTestIssuer();
  afterAll(async () => (await issuer).close());

  it('still gets its confirmation email after the restart', async () => {
    process.env.JWT_JWKS_URL = (await issuer).jwksUrl;
    const start = await samePlatform({});
    const first = await start(false);
    const onSale = await putOnSale(
      {
        name: 'Restart Blues',
        startsAt: '2027-03-01T19:00:00Z',
        endsAt: '2027-03-01T22:00:00Z',
        timezone: 'Europe/Lisbon',
        place: 'Coliseu, Lisbon, PT',
      },
      { name: 'Floor', price: 3000, currency: 'EUR', quantity: 10 },
    );
    const email = `restart-${randomUUID()}@example.com`;
    const headers = await buyerHeaders(await issuer, first.apiUrl, { email, givenName: 'Rui' });
    const response = await buy(first.apiUrl, headers, onSale, 1);
    expect(response.status).toBe(201);
    await paidOrder(first.apiUrl, headers.authorization, (await response.json()) as PayableOrder);
    const sqs = new SQSClient({ endpoint: first.awsEndpoint, region: 'us-east-1' });
    try {
      // The purchase is confirmed and its message waits for the email consumer, which is not running yet.
      await eventually(async () =>
        (await queueDepth(sqs, first.queueUrls[QUEUE] ?? '')).waiting > 0 ? true : undefined,
      );
    } finally {
      sqs.destroy();
      await first.stop();
      platform = undefined;
    }

    const second = await start(true);
    const [confirmation] = await emailsFor(second.mailUrl, email, 1, 30_000);
    expect(confirmation?.subject).toBe('Your tickets for Restart Blues');
  });
});
