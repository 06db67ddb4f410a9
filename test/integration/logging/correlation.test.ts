// Centralized logs against a real OpenSearch: a purchase made through the API leaves log lines from every service it
// touches (tickets answering, notifications mailing the confirmation) that one correlation-id query finds, in daily
// indices created from the template's explicit mappings, and no line carries a password or a token.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOG_INDEX_TEMPLATE, LOG_TEMPLATE_NAME } from '../../../functions/ops/log-shipper';
import { openSearchClient } from '../../../functions/ops/log-store.opensearch';
import { type Platform, ROOT } from '../../../local/platform';
import { passwordGrant } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { buy, eventOnSale, type LogLine, linesOf, servicesOf } from './support';

let platform: Platform;
const openSearchUrl = inject('openSearchUrl');

beforeAll(async () => {
  platform = await startTestPlatform({ schedules: false, openSearchUrl });
});
afterAll(async () => {
  await platform?.stop();
});

/** Signs up and signs in with one correlation id on both requests. */
async function signUpAs(correlationId: string) {
  const email = `ada-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';
  const registered = await fetch(`${platform.apiUrl}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', email, password }),
  });
  expect(registered.status).toBe(201);
  const token = await fetch(`${platform.apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-correlation-id': correlationId },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: email, password }),
  });
  expect(token.status).toBe(200);
  const tokens = (await token.json()) as { access_token: string; refresh_token: string };
  const id = ((await registered.json()) as { id: string }).id;
  return { id, email, password, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

/** Waits until the request's lines in OpenSearch come from at least these services, and answers them. */
async function linesFrom(correlationId: string, services: string[]): Promise<LogLine[]> {
  let lines: LogLine[] = [];
  await expect
    .poll(async () => {
      lines = await linesOf(openSearchUrl, correlationId);
      return servicesOf(lines);
    })
    .toEqual(expect.arrayContaining(services));
  return lines;
}

describe('the log lines of one purchase', () => {
  it('come from tickets and notifications, and one correlation-id query finds them all, oldest first', async () => {
    expect(platform.openSearch).toBe('up');
    const user = await signUpAs(`signup-${randomUUID()}`);
    const event = await eventOnSale();
    const correlationId = `purchase-${randomUUID()}`;

    const response = await buy(platform.apiUrl, user.accessToken, event, correlationId, 2);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);

    const lines = await linesFrom(correlationId, ['notifications', 'tickets']);

    const access = lines.find((line) => line.service === 'tickets' && line.message === 'request completed');
    expect(access).toMatchObject({
      level: 'INFO',
      route: 'POST /v1/events/{id}/orders',
      method: 'POST',
      path: `/v1/events/${event.eventId}/orders`,
      status: 201,
      user_id: user.id,
      correlation_id: correlationId,
      function_name: 'tickets-purchase',
    });
    expect(typeof access?.latency_ms).toBe('number');
    expect(typeof access?.request_id).toBe('string');

    // The confirmation is consumed from the queue: its lines carry the message it handled.
    const consumed = lines.filter(
      (line) => line.service === 'notifications' && line.message_id !== undefined,
    );
    expect(consumed.length).toBeGreaterThan(0);
    expect(consumed[0]).toMatchObject({ message_type: expect.any(String), correlation_id: correlationId });

    const times = lines.map((line) => Date.parse(String(line.timestamp)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("are in a daily index whose mapping is the index template's", async () => {
    const correlationId = `mapping-${randomUUID()}`;
    const response = await fetch(`${platform.apiUrl}/v1/health`, {
      headers: { 'x-correlation-id': correlationId },
    });
    expect(response.status).toBeLessThan(600);
    await expect.poll(async () => (await linesOf(openSearchUrl, correlationId)).length).toBeGreaterThan(0);

    const client = await openSearchClient({ url: openSearchUrl });
    const template = await client.indices.getIndexTemplate({ name: LOG_TEMPLATE_NAME });
    expect(template.body.index_templates?.[0]?.index_template.index_patterns).toEqual(['logs-*']);
    const index = `logs-${new Date().toISOString().slice(0, 10).replaceAll('-', '.')}`;
    const mapping = await client.indices.getMapping({ index });
    expect(mapping.body[index]?.mappings).toEqual(LOG_INDEX_TEMPLATE.template.mappings);
    const settings = await client.indices.getSettings({ index });
    expect(settings.body[index]?.settings?.index).toMatchObject({
      number_of_shards: '1',
      number_of_replicas: '0',
      mapping: { ignore_malformed: 'true' },
    });
  });

  it('never carry the password or the tokens of a sign-up and sign-in', async () => {
    const correlationId = `secrets-${randomUUID()}`;
    const user = await signUpAs(correlationId);
    // A failed sign-in too: its log lines are the likeliest to echo what was sent.
    await passwordGrant(platform.apiUrl, user.email, 'not the password at all');
    const lines = await linesFrom(correlationId, ['auth']);
    const text = JSON.stringify(lines);
    for (const secret of [user.password, user.accessToken, user.refreshToken])
      expect(text).not.toContain(secret);
  });

  it('are printed by `npm run logs -- --correlation-id`, across services and in order', async () => {
    const user = await signUpAs(`signup-${randomUUID()}`);
    const event = await eventOnSale();
    const correlationId = `script-${randomUUID()}`;
    expect((await buy(platform.apiUrl, user.accessToken, event, correlationId)).status).toBe(201);
    await linesFrom(correlationId, ['notifications', 'tickets']);

    const { stdout } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsx'),
      [
        join(ROOT, 'scripts/logs.ts'),
        '--correlation-id',
        correlationId,
        '--url',
        openSearchUrl,
        '--since',
        '1h',
      ],
      { cwd: ROOT, env: { ...process.env, OPENSEARCH_URL: '' } },
    );
    const printed = stdout.trim().split('\n');
    expect(
      printed.some((line) => / tickets +tickets-purchase POST \/v1\/events\/\{id\}\/orders 201 /.test(line)),
    ).toBe(true);
    expect(printed.some((line) => line.includes(' notifications '))).toBe(true);
    const times = printed.map((line) => Date.parse(line.split(' ')[0] ?? ''));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
