// The LocalStack profile: with an external AWS endpoint the runtime creates its queues, topics and bucket there
// through the AWS SDK and uses them. A separately started emulator plays the external endpoint here, since
// LocalStack itself needs Docker and a licence.
import { randomUUID } from 'node:crypto';
import { startFauxqs } from 'fauxqs';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { echo } from '../../fixtures/echo/manifest';
import { startTestPlatform } from '../../support/platform';
import { freePort } from '../../support/ports';

let external: Awaited<ReturnType<typeof startFauxqs>>;
let platform: Platform;

beforeAll(async () => {
  external = await startFauxqs({ port: await freePort(), logger: false });
  platform = await startTestPlatform({
    manifests: [echo],
    schedules: false,
    externalAwsEndpoint: external.address,
  });
});
afterAll(async () => {
  await platform?.stop();
  await external?.stop();
});

it('creates the manifest queues on the external endpoint and delivers messages through them', async () => {
  expect(platform.awsEndpoint).toBe(external.address);
  expect(external.inspectQueue('echo-inbox-dlq')).toBeDefined();
  expect(
    JSON.parse(external.inspectQueue('echo-inbox')?.attributes.RedrivePolicy ?? '{}').maxReceiveCount,
  ).toBe(2);

  const id = randomUUID();
  const response = await fetch(`${platform.apiUrl}/v1/test/echo/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Margaret', quantity: 3 }),
  });
  expect(response.status).toBe(201);
  const db = new pg.Client({ connectionString: platform.databaseUrls.echo });
  await db.connect();
  try {
    await expect
      .poll(async () => (await db.query('SELECT 1 FROM received WHERE echo_id = $1', [id])).rowCount, {
        timeout: 15_000,
      })
      .toBe(1);
  } finally {
    await db.end();
  }
});
