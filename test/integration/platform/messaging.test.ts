// Messages between services: the outbox publishes what a transaction committed, the SNS topic fans it out to the
// consumer's queue, the local runtime invokes the consumer with SQS batch semantics, redeliveries change nothing,
// and a poison message ends in the dead-letter queue without holding back the others.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { envelope } from '../../../layers/common/messages';
import { enqueue, relayOutbox } from '../../../layers/common/outbox';
import { publishCommitted, publishFromRequest } from '../../../layers/common/outbox-relay';
import { awsPublisher } from '../../../layers/common/publisher';
import type { Platform } from '../../../local/platform';
import { echo } from '../../fixtures/echo/manifest';
import { databasePool } from '../../support/db';
import { startTestPlatform } from '../../support/platform';
import { receiveBodies, waitForQueueDrained } from '../../support/sqs';
import { waitUntil } from '../../support/wait';

let platform: Platform;
let db: pg.Pool;
let sqs: SQSClient;

beforeAll(async () => {
  platform = await startTestPlatform({ manifests: [echo] });
  db = databasePool(platform.databaseUrls.echo);
  sqs = new SQSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
});
afterAll(async () => {
  await db?.end();
  sqs?.destroy();
  await platform?.stop();
});

const receivedFor = async (echoId: string) =>
  (await db.query('SELECT message_id FROM received WHERE echo_id = $1', [echoId])).rows as {
    message_id: string;
  }[];

/** Commits `count` EchoCreated messages to the outbox, one transaction each, as that many requests would. */
async function commitMessages(count: number, correlationId: string) {
  const messages = Array.from({ length: count }, (_, index) =>
    envelope('echo', 'EchoCreated', 1, { id: randomUUID(), name: `Message ${index}` }, correlationId),
  );
  for (const message of messages) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await enqueue(client, { topic: 'echo-events' }, [message]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  return messages;
}

const publishedAt = async (id: string) =>
  (await db.query<{ published_at: Date | null }>('SELECT published_at FROM outbox WHERE id = $1', [id]))
    .rows[0]?.published_at;

describe('outbox to consumer', () => {
  it('delivers what a request committed to the consuming service exactly once', async () => {
    const id = randomUUID();
    const response = await fetch(`${platform.apiUrl}/v1/test/echo/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace', quantity: 1 }),
    });
    expect(response.status).toBe(201);
    const rows = await waitUntil(async () =>
      (await receivedFor(id)).length > 0 ? receivedFor(id) : undefined,
    );
    expect(rows).toHaveLength(1);
    const outbox = await db.query(
      "SELECT published_at FROM outbox WHERE envelope->>'type' = $1 AND envelope->'data'->>'id' = $2",
      ['EchoCreated', id],
    );
    expect(outbox.rows[0]?.published_at).toBeInstanceOf(Date);
  });

  it('publishes a message left behind by a crash between commit and relay on the next relay run', async () => {
    const id = randomUUID();
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await enqueue(client, { topic: 'echo-events' }, [
        envelope('echo', 'EchoCreated', 1, { id, name: 'Ada' }, 'crash-test'),
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await receivedFor(id)).toHaveLength(0);

    const result = await relayOutbox(db, awsPublisher);
    expect(result.published).toBeGreaterThanOrEqual(1);
    const rows = await waitUntil(async () =>
      (await receivedFor(id)).length > 0 ? receivedFor(id) : undefined,
    );
    expect(rows).toHaveLength(1);
  });

  it('publishes a burst of commits right away, every message delivered once and marked published', async () => {
    const messages = await commitMessages(35, 'burst-test');
    // As 35 requests finishing at once would: their publishes share calls, and each waits for its own.
    await Promise.all(
      messages.map((message) => publishCommitted('echo', { topic: 'echo-events' }, [message])),
    );
    const marked = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL',
      [messages.map((message) => message.id)],
    );
    expect(marked.rows[0]?.n).toBe(messages.length);
    const ids = messages.map((message) => (message.data as { id: string }).id);
    const received = await waitUntil(async () => {
      const { rows } = await db.query<{ echo_id: string }>(
        'SELECT echo_id FROM received WHERE echo_id = ANY($1::uuid[])',
        [ids],
      );
      return rows.length >= ids.length ? rows : undefined;
    });
    expect(received.map((row) => row.echo_id).sort()).toEqual([...ids].sort());
  });

  it('lets a request answer before its publish where the environment keeps running, and still delivers it', async () => {
    const concurrency = process.env.AWS_LAMBDA_MAX_CONCURRENCY;
    // SNS answers only when the test lets it, so "answered before the publish" is not a matter of timing.
    let answerSns: () => void = () => undefined;
    const snsAnswers = new Promise<void>((resolve) => {
      answerSns = resolve;
    });
    const publish = awsPublisher.publish.bind(awsPublisher);
    const held = vi.spyOn(awsPublisher, 'publish').mockImplementation(async (...args) => {
      await snsAnswers;
      return publish(...args);
    });
    try {
      // Lambda's default model freezes the environment after the answer: the request waits for its publish.
      process.env.AWS_LAMBDA_MAX_CONCURRENCY = '1';
      const frozen = await commitMessages(1, 'frozen-test');
      let frozenAnswered = false;
      const frozenRequest = publishFromRequest('echo', { topic: 'echo-events' }, frozen).then(() => {
        frozenAnswered = true;
      });
      // The publish has reached SNS, which does not answer yet: the request must still be waiting for it.
      await waitUntil(() => held.mock.calls.length > 0);
      expect(frozenAnswered).toBe(false);
      answerSns();
      await frozenRequest;
      expect(await publishedAt(frozen[0]?.id ?? '')).toBeInstanceOf(Date);

      // Managed Instances and the local runtime keep running: the answer does not wait, the publish goes on.
      process.env.AWS_LAMBDA_MAX_CONCURRENCY = '1000';
      const running = await commitMessages(1, 'running-test');
      const messageId = running[0]?.id ?? '';
      const snsHeldAgain = new Promise<void>((resolve) => {
        answerSns = resolve;
      });
      held.mockImplementation(async (...args) => {
        await snsHeldAgain;
        return publish(...args);
      });
      await publishFromRequest('echo', { topic: 'echo-events' }, running);
      expect(await publishedAt(messageId)).toBeNull();
      answerSns();
      await waitUntil(async () => ((await publishedAt(messageId)) ? true : undefined));
      const id = (running[0]?.data as { id: string } | undefined)?.id ?? '';
      await waitUntil(async () => ((await receivedFor(id)).length === 1 ? true : undefined));
    } finally {
      held.mockRestore();
      if (concurrency === undefined) delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
      else process.env.AWS_LAMBDA_MAX_CONCURRENCY = concurrency;
    }
  });

  it('processes a redelivered message only once', async () => {
    const id = randomUUID();
    const message = JSON.stringify(
      envelope('echo', 'EchoCreated', 1, { id, name: 'Linus' }, 'redelivery-test'),
    );
    const queueUrl = platform.queueUrls['echo-inbox'];
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message }));
    // Both copies handled: the queue holds neither, waiting or in flight. Then the second changed nothing.
    await waitForQueueDrained(platform.awsEndpoint, queueUrl ?? '');
    expect(await receivedFor(id)).toHaveLength(1);
  });

  it('moves a poison message to the dead-letter queue while the rest of its batch goes through', async () => {
    const good = randomUUID();
    const queueUrl = platform.queueUrls['echo-inbox'];
    const poison = envelope('echo', 'EchoCreated', 1, { id: randomUUID(), name: 'poison' }, 'poison-test');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(poison) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'this is not json' }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(
          envelope('echo', 'EchoCreated', 1, { id: good, name: 'fine' }, 'poison-test'),
        ),
      }),
    );
    await waitUntil(async () => ((await receivedFor(good)).length > 0 ? true : undefined));

    const dlqUrl = platform.queueUrls['echo-inbox-dlq'];
    const bodies: string[] = [];
    await waitUntil(async () => {
      bodies.push(...(await receiveBodies(sqs, dlqUrl)));
      return bodies.length >= 2 ? true : undefined;
    });
    expect(bodies).toContain('this is not json');
    expect(bodies.some((body) => body.includes(poison.id))).toBe(true);
  });
});

describe('schedules', () => {
  it('fires a manifest schedule on its local interval', async () => {
    const count = async () => Number((await db.query('SELECT count(*) FROM ticks')).rows[0]?.count ?? 0);
    const before = await count();
    await waitUntil(async () => (await count()) >= before + 2);
  });
});

describe('internal calls between services', () => {
  it('return the callee data, carry the correlation id, and bring typed errors back as the same problem', async () => {
    const { invokeInternal, RemoteError } = await import('../../../layers/common/internal');
    expect(await invokeInternal('echo.lookup', { mode: 'ok', n: 21 }, 'corr-1')).toEqual({
      doubled: 42,
      correlationId: 'corr-1',
    });

    const conflict = await invokeInternal('echo.lookup', { mode: 'conflict', n: 1 }, 'corr-2').catch(
      (error: unknown) => error,
    );
    expect(conflict).toBeInstanceOf(RemoteError);
    expect((conflict as InstanceType<typeof RemoteError>).toProblem()).toMatchObject({
      status: 409,
      type: '/problems/sold-out',
      remaining: 2,
    });

    const invalid = await invokeInternal('echo.lookup', { mode: 'nonsense' }, 'corr-3').catch(
      (error: unknown) => error,
    );
    expect((invalid as InstanceType<typeof RemoteError>).status).toBe(400);
  });

  it('report a crashing callee as a failed call after retrying', async () => {
    const { invokeInternal, InternalCallError } = await import('../../../layers/common/internal');
    await expect(invokeInternal('echo.lookup', { mode: 'crash', n: 1 }, 'corr-4')).rejects.toBeInstanceOf(
      InternalCallError,
    );
  });
});
