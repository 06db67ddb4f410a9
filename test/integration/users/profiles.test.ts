// The users service over HTTP through the local platform, against real PostgreSQL and the AWS emulator: profiles
// made from registrations (once) or from the token, name changes, and pictures uploaded straight to the bucket.
import { randomUUID } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTH_EVENTS_TOPIC } from '../../../events/contracts/auth';
import { users } from '../../../functions/users/manifest';
import { topicArnEnv } from '../../../layers/common/env-names';
import type { ServiceManifest } from '../../../layers/common/manifest';
import { type Envelope, envelope } from '../../../layers/common/messages';
import type { Platform } from '../../../local/platform';
import { databasePool } from '../../support/db';
import { client } from '../../support/http';
import { withIssuedPlatform } from '../../support/platform';
import { waitForQueueDrained } from '../../support/sqs';
import type { TestIssuer } from '../../support/tokens';
import { waitUntil } from '../../support/wait';

/** Stands in for the auth service: only its topic, which this test publishes to the way auth does. */
const authTopic: ServiceManifest = {
  service: 'auth',
  description: 'The auth-events topic only.',
  database: false,
  topics: [AUTH_EVENTS_TOPIC],
  routes: {},
};

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let platform: Platform;
let issuer: TestIssuer;
let db: pg.Pool;
let sns: SNSClient;

withIssuedPlatform({ manifests: [authTopic, users], schedules: false }, (started) => {
  ({ platform, issuer } = started);
  db = databasePool(platform.databaseUrls.users);
  sns = new SNSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
});
afterAll(async () => {
  sns?.destroy();
  await db?.end();
});

interface Person {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

const newPerson = (firstName = 'Ada', lastName = 'Lovelace'): Person => {
  const id = randomUUID();
  return { id, email: `${firstName}.${id.slice(0, 8)}@Example.COM`, firstName, lastName };
};

/** An access token as the auth service issues it: the profile details ride along unless `bare`. */
const tokenFor = (person: Person, bare = false) =>
  issuer.sign({
    iss: platform.apiUrl,
    aud: 'ticketorleaveit-api',
    sub: person.id,
    ...(bare ? {} : { email: person.email, given_name: person.firstName, family_name: person.lastName }),
  });

const api = client(() => platform.apiUrl);

const getMe = async (person: Person, bare = false) =>
  api('GET', '/v1/users/me', { token: await tokenFor(person, bare) });
const patchMe = async (person: Person, body: unknown) =>
  api('PATCH', '/v1/users/me', { token: await tokenFor(person), body });

const registration = (person: Person) =>
  envelope(
    'auth',
    'UserRegistered',
    1,
    { userId: person.id, email: person.email, firstName: person.firstName, lastName: person.lastName },
    `register-${person.id}`,
  );

async function publish(message: Envelope) {
  await sns.send(
    new PublishCommand({
      TopicArn: process.env[topicArnEnv(AUTH_EVENTS_TOPIC)],
      Message: JSON.stringify(message),
    }),
  );
}

/** Waits until the consumer's queue holds nothing, waiting or in flight: every message published was handled. */
const queueDrained = () =>
  waitForQueueDrained(platform.awsEndpoint, platform.queueUrls['users-auth-events'] ?? '');

const storedRows = async (userId: string) =>
  (
    await db.query('SELECT email, first_name, last_name, picture_key FROM profiles WHERE user_id = $1', [
      userId,
    ])
  ).rows;

async function uploadPicture(
  person: Person,
  bytes: Buffer,
  options: { contentType?: string; formType?: string } = {},
) {
  const contentType = options.contentType ?? 'image/png';
  const issued = await api('POST', '/v1/users/me/picture', {
    token: await tokenFor(person),
    body: { contentType },
  });
  expect(issued.status).toBe(201);
  const { uploadUrl, fields, key } = issued.body as {
    uploadUrl: string;
    fields: Record<string, string>;
    key: string;
  };
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    // A tampered form: what a client could send if the bucket did not enforce the signed policy.
    form.append(name, name === 'Content-Type' && options.formType ? options.formType : value);
  }
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'me.png');
  const upload = await fetch(uploadUrl, { method: 'POST', body: form });
  expect(upload.status).toBeLessThan(300);
  return key;
}

describe('a profile appears for every registered user', () => {
  it('is created from the UserRegistered message, with the email lower-cased', async () => {
    const ada = newPerson();
    // With neither a message nor details in the token, there is nothing to show yet.
    expect((await getMe(ada, true)).status).toBe(404);

    await publish(registration(ada));
    const profile = await waitUntil(async () => {
      const response = await getMe(ada, true);
      return response.status === 200 ? response.body : undefined;
    });
    expect(profile).toEqual({
      id: ada.id,
      email: ada.email.toLowerCase(),
      firstName: 'Ada',
      lastName: 'Lovelace',
      pictureUrl: null,
    });
  });

  it('is not changed by a redelivered copy of the message', async () => {
    const grace = newPerson('Grace', 'Hopper');
    const message = registration(grace);
    await publish(message);
    await waitUntil(async () => (await storedRows(grace.id)).length === 1);
    expect((await patchMe(grace, { firstName: 'Amazing Grace' })).status).toBe(200);

    await publish(message);
    await queueDrained();

    expect((await getMe(grace, true)).body).toMatchObject({ firstName: 'Amazing Grace', lastName: 'Hopper' });
    expect(await storedRows(grace.id)).toHaveLength(1);
    const processed = await db.query(
      'SELECT count(*)::int AS n FROM processed_messages WHERE message_id = $1',
      [message.id],
    );
    expect(processed.rows[0].n).toBe(1);
  });

  it('is made from the token’s claims when GET /me comes before the message, and the late message keeps it', async () => {
    const linus = newPerson('Linus', 'Torvalds');
    const response = await getMe(linus);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: linus.id,
      email: linus.email.toLowerCase(),
      firstName: 'Linus',
      lastName: 'Torvalds',
      pictureUrl: null,
    });
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(await storedRows(linus.id)).toHaveLength(1);

    await patchMe(linus, { lastName: 'Benedict Torvalds' });
    await publish(registration(linus));
    await queueDrained();
    expect((await getMe(linus)).body).toMatchObject({ firstName: 'Linus', lastName: 'Benedict Torvalds' });
    expect(await storedRows(linus.id)).toHaveLength(1);
  });

  it('is made from the claims by a PATCH that comes first, too', async () => {
    const barbara = newPerson('Barbara', 'Liskov');
    const response = await patchMe(barbara, { firstName: 'Babs' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: barbara.id, firstName: 'Babs', lastName: 'Liskov' });
  });
});

describe('changing names', () => {
  it('trims and stores the new names, and GET /me shows them', async () => {
    const ada = newPerson();
    const response = await patchMe(ada, { firstName: '  Augusta Ada ', lastName: 'King' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ firstName: 'Augusta Ada', lastName: 'King' });
    expect((await getMe(ada)).body).toMatchObject({ firstName: 'Augusta Ada', lastName: 'King' });
  });

  it('stores SQL-looking names verbatim and harms nothing', async () => {
    const bobby = newPerson('Robert', 'Tables');
    const name = "Robert'); DROP TABLE profiles; --";
    const response = await patchMe(bobby, { firstName: name, lastName: "'; DROP TABLE profiles; --" });
    expect(response.status).toBe(200);
    expect((await getMe(bobby)).body).toMatchObject({
      firstName: name,
      lastName: "'; DROP TABLE profiles; --",
    });
    expect((await storedRows(bobby.id))[0]?.first_name).toBe(name);
    expect((await db.query('SELECT count(*)::int AS n FROM profiles')).rows[0].n).toBeGreaterThan(0);
  });

  it('refuses bad input with one error per field, and leaves the stored profile as it was', async () => {
    const ada = newPerson();
    await getMe(ada);
    const before = await storedRows(ada.id);

    const cases: [unknown, string[]][] = [
      [{ firstName: '' }, ['firstName']],
      [{ firstName: '   ' }, ['firstName']],
      [{ lastName: 'x'.repeat(101) }, ['lastName']],
      [{ firstName: 'Ada\u0000', lastName: 'Love\nlace' }, ['firstName', 'lastName']],
      [{ firstName: 'Ada\u202Eecalevol' }, ['firstName']],
      [{ firstName: 'Ada', email: 'evil@example.com' }, ['email']],
      [{}, ['']],
      [{ pictureKey: 12 }, ['pictureKey']],
    ];
    for (const [body, fields] of cases) {
      const response = await patchMe(ada, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.type).toBe('/problems/validation-error');
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(fields);
    }
    expect(await storedRows(ada.id)).toEqual(before);
  });
});

describe('profile pictures', () => {
  it('uploads a PNG to the presigned form, attaches it, and serves the same bytes back', async () => {
    const ada = newPerson();
    const issued = await api('POST', '/v1/users/me/picture', {
      token: await tokenFor(ada),
      body: { contentType: 'image/png' },
    });
    expect(issued.status).toBe(201);
    expect(issued.body.key).toMatch(new RegExp(`^users/${ada.id}/pictures/[0-9a-f-]{36}$`));
    expect(issued.body.maxBytes).toBe(5 * 1024 * 1024);
    const ttl = Date.parse(issued.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    const policy = JSON.parse(Buffer.from(issued.body.fields.Policy, 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 5 * 1024 * 1024],
        ['eq', '$Content-Type', 'image/png'],
      ]),
    );

    const form = new FormData();
    for (const [name, value] of Object.entries(issued.body.fields as Record<string, string>))
      form.append(name, value);
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'me.png');
    const upload = await fetch(issued.body.uploadUrl, { method: 'POST', body: form });
    expect(upload.status).toBe(204);

    const attached = await patchMe(ada, { pictureKey: issued.body.key });
    expect(attached.status).toBe(200);
    const { pictureUrl } = (await getMe(ada)).body;
    expect(attached.body.pictureUrl).toEqual(expect.any(String));
    expect(pictureUrl).toContain('X-Amz-Signature=');
    expect(pictureUrl).toContain('X-Amz-Expires=3600');

    const picture = await fetch(pictureUrl);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await picture.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('replaces the picture and removes the old one', async () => {
    const ada = newPerson();
    const first = await uploadPicture(ada, PNG);
    const oldUrl = (await patchMe(ada, { pictureKey: first })).body.pictureUrl;
    const second = await uploadPicture(ada, PNG);
    const replaced = await patchMe(ada, { pictureKey: second });
    expect(replaced.status).toBe(200);
    expect(replaced.body.pictureUrl).toContain(encodeURIComponent(second).replaceAll('%2F', '/'));
    expect((await fetch(oldUrl)).status).toBe(404);
    expect((await storedRows(ada.id))[0]?.picture_key).toBe(second);
  });

  it('removes the picture when pictureKey is null', async () => {
    const ada = newPerson();
    await patchMe(ada, { pictureKey: await uploadPicture(ada, PNG) });
    const response = await patchMe(ada, { pictureKey: null });
    expect(response.status).toBe(200);
    expect(response.body.pictureUrl).toBeNull();
  });

  it('refuses a key issued to another user, even one that was uploaded', async () => {
    const ada = newPerson();
    const mallory = newPerson('Mallory', 'Evil');
    const adasKey = await uploadPicture(ada, PNG);
    const response = await patchMe(mallory, { pictureKey: adasKey });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'pictureKey' })]);
    expect((await getMe(mallory)).body.pictureUrl).toBeNull();
  });

  it('refuses a key whose upload never happened', async () => {
    const ada = newPerson();
    const issued = await api('POST', '/v1/users/me/picture', {
      token: await tokenFor(ada),
      body: { contentType: 'image/jpeg' },
    });
    const response = await patchMe(ada, { pictureKey: issued.body.key });
    expect(response.status).toBe(422);
    expect(response.body.type).toBe('/problems/picture-not-uploaded');
  });

  it('refuses an unsupported content type for an upload', async () => {
    const ada = newPerson();
    for (const contentType of ['image/gif', 'image/svg+xml', 'text/html']) {
      const response = await api('POST', '/v1/users/me/picture', {
        token: await tokenFor(ada),
        body: { contentType },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'contentType' })]);
    }
  });

  it('refuses to attach an upload that is not an allowed type or is over 5 MB, should the bucket let one in', async () => {
    const ada = newPerson();
    const html = await uploadPicture(ada, Buffer.from('<script>alert(1)</script>'), {
      formType: 'text/html',
    });
    const wrongType = await patchMe(ada, { pictureKey: html });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.type).toBe('/problems/picture-type-not-allowed');

    const huge = await uploadPicture(ada, Buffer.alloc(5 * 1024 * 1024 + 1));
    const tooLarge = await patchMe(ada, { pictureKey: huge });
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.body.type).toBe('/problems/picture-size-not-allowed');
    expect((await getMe(ada)).body.pictureUrl).toBeNull();
  });
});

describe('only the signed-in user', () => {
  it('answers 401 to every users route without a valid token', async () => {
    const ada = newPerson();
    const forged = await issuer.sign({
      iss: 'https://elsewhere.example',
      aud: 'ticketorleaveit-api',
      sub: ada.id,
    });
    for (const token of [undefined, 'not-a-jwt', forged]) {
      expect((await api('GET', '/v1/users/me', { token })).status).toBe(401);
      expect((await api('PATCH', '/v1/users/me', { token, body: { firstName: 'X' } })).status).toBe(401);
      expect(
        (await api('POST', '/v1/users/me/picture', { token, body: { contentType: 'image/png' } })).status,
      ).toBe(401);
    }
    expect(await storedRows(ada.id)).toHaveLength(0);
  });
});
