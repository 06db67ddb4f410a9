// At the door, against the real local platform: a holder's QR code verifies offline with the published keys and
// admits them once; every other answer a scanner can get; two gates scanning one ticket at once; an offline batch
// whose earliest scan wins; the stats; and who may scan (owner, team from EventTeamChanged, never a stranger).
import { randomUUID } from 'node:crypto';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import jsQR from 'jsqr';
import type pg from 'pg';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeInternal } from '../../../layers/common/internal';
import { envelope } from '../../../layers/common/messages';
import { awsPublisher } from '../../../layers/common/publisher';
import { parseServerTiming } from '../../../layers/common/timings';
import type { Platform } from '../../../local/platform';
import { client } from '../../support/http';
import { person as signedIn, startTicketsPlatform, type TicketsPlatform } from '../../support/purchases';
import { type SeededTicket, seedDoor } from './seed';

let platform: Platform;
let issuer: TicketsPlatform['issuer'];
let db: pg.Pool;
let stop: () => Promise<void>;
const api = client(() => platform.apiUrl);

beforeAll(async () => {
  ({ platform, issuer, db, stop } = await startTicketsPlatform());
});
afterAll(async () => {
  await stop?.();
});

const person = () => signedIn(issuer, platform.apiUrl);

async function door(count = 4) {
  const organizer = await person();
  const holder = await person();
  const event = await seedDoor(db, { count, holderId: holder.userId, organizerId: organizer.userId });
  return { organizer, holder, event };
}

/** The statements an answer says it ran (its Server-Timing `db` stage), as the check-in bench counts them. */
const statementsOf = (answer: { headers: Headers }) =>
  parseServerTiming(answer.headers.get('server-timing') ?? undefined).db?.count ?? 0;

const scan = (token: string, eventId: string, body: Record<string, unknown>) =>
  api('POST', `/v1/events/${eventId}/check-ins`, { token, body: { scanId: randomUUID(), ...body } });

/** What a phone camera reads from the holder's PNG. */
async function scanPng(token: string, ticketId: string): Promise<string> {
  const response = await fetch(`${platform.apiUrl}/v1/tickets/${ticketId}/qr.png`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/png');
  const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
  const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!read) throw new Error('no QR code in the image');
  return read.data;
}

describe('QR tickets', () => {
  it("encode a payload that verifies offline with the published keys, and admit the ticket's holder once", async () => {
    const { organizer, holder, event } = await door(1);
    const ticket = event.tickets[0] as { id: string };

    const payload = await scanPng(holder.token, ticket.id);
    const keys = await api('GET', '/v1/tickets/qr-keys');
    expect(keys.status).toBe(200);
    expect(keys.headers.get('cache-control')).toContain('public');
    expect(keys.body.keys.every((key: Record<string, unknown>) => key.d === undefined)).toBe(true);
    const verified = await compactVerify(payload, createLocalJWKSet(keys.body));
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({
      t: ticket.id,
      e: event.eventId,
    });
    expect(keys.body.keys.map((key: { kid: string }) => key.kid)).toContain(
      decodeProtectedHeader(payload).kid,
    );

    // Apps that draw the code themselves get the same payload.
    const asJson = await api('GET', `/v1/tickets/${ticket.id}/qr`, { token: holder.token });
    expect(asJson.body).toEqual({ ticketId: ticket.id, payload });
    expect(asJson.headers.get('cache-control')).toBe('private, no-store');

    const svg = await fetch(`${platform.apiUrl}/v1/tickets/${ticket.id}/qr.svg`, {
      headers: { authorization: `Bearer ${holder.token}` },
    });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('private, no-store');
    expect(await svg.text()).toContain('<svg');

    const admitted = await scan(organizer.token, event.eventId, { payload, gate: 'North' });
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatchObject({
      outcome: 'admitted',
      ticketId: ticket.id,
      holder: { firstName: 'Ada' },
    });
    expect(admitted.body.tier.name).toBe('General');
  });

  it('is refused when one character of the payload changes', async () => {
    const { organizer, holder, event } = await door(1);
    const payload = await scanPng(holder.token, (event.tickets[0] as { id: string }).id);
    const i = payload.lastIndexOf('.') - 5;
    const altered = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    const refused = await scan(organizer.token, event.eventId, { payload: altered });
    expect(refused.status).toBe(404);
    expect(refused.body.outcome).toBe('invalid-scan');
  });

  it("is no one's but the holder's to see", async () => {
    const { event } = await door(1);
    const stranger = await person();
    const ticketId = (event.tickets[0] as { id: string }).id;
    for (const suffix of ['', '.svg', '.png']) {
      const answer = await api('GET', `/v1/tickets/${ticketId}/qr${suffix}`, { token: stranger.token });
      expect(answer.status).toBe(404);
    }
  });
});

describe('a purchase', () => {
  it('announces each ticket with its signed QR payload, which admits it at the door', async () => {
    const organizer = await person();
    const buyer = await person();
    const eventId = randomUUID();
    const tierId = randomUUID();
    const startsAt = new Date(Date.now() + 7 * 86_400_000);
    await invokeInternal(
      'tickets.syncInventory',
      {
        eventId,
        organizerId: organizer.userId,
        status: 'on_sale',
        capacity: 10,
        event: {
          name: 'Free show',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
          timezone: 'Europe/Paris',
          place: 'Olympia, Paris, FR',
        },
        tiers: [{ tierId, name: 'Free', price: 0, currency: 'EUR', quantity: 10 }],
      },
      'test',
    );
    const bought = await api('POST', `/v1/events/${eventId}/orders`, {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { items: [{ tierId, quantity: 2 }] },
    });
    expect(bought.status).toBe(201);
    const { rows } = await db.query(
      `SELECT envelope FROM outbox WHERE envelope->>'type' = 'TicketPurchased' AND envelope->'data'->>'orderId' = $1`,
      [bought.body.id],
    );
    const announced = rows[0].envelope.data.tickets as { id: string; qr?: string }[];
    expect(announced).toHaveLength(2);
    const keys = (await api('GET', '/v1/tickets/qr-keys')).body;
    for (const ticket of announced) {
      const verified = await compactVerify(ticket.qr ?? '', createLocalJWKSet(keys));
      expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({ t: ticket.id, e: eventId });
      expect((await scan(organizer.token, eventId, { payload: ticket.qr })).status).toBe(200);
    }
  });
});

describe('a check-in', () => {
  it('answers a second scan 409 with when and where the ticket was first admitted, and a retry of the first 200', async () => {
    const { organizer, event } = await door(1);
    const code = (event.tickets[0] as { code: string }).code;
    const first = await scan(organizer.token, event.eventId, { code, gate: 'North', scanId: 'scan-first-1' });
    expect(first.status).toBe(200);

    const again = await scan(organizer.token, event.eventId, { code: code.toLowerCase(), gate: 'South' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toMatchObject({
      outcome: 'already-admitted',
      admission: { scanId: 'scan-first-1', gate: 'North', scannedAt: first.body.admission.scannedAt },
    });
    // A refused scan reports the statement it ran as an admitted one does (the bench counts round trips by them).
    expect(statementsOf(first)).toBeGreaterThanOrEqual(1);
    expect(statementsOf(again)).toBeGreaterThanOrEqual(1);

    const retry = await scan(organizer.token, event.eventId, { code, gate: 'North', scanId: 'scan-first-1' });
    expect(retry.status).toBe(200);
    expect(retry.body.admission).toEqual(first.body.admission);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM check_ins WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses a cancelled ticket 409, another event’s 422 and an unknown code 404', async () => {
    const { organizer, event } = await door(2);
    const [cancelled, kept] = event.tickets as [SeededTicket, SeededTicket];
    await db.query("UPDATE orders SET status = 'cancelled' WHERE id = $1", [cancelled.orderId]);
    await db.query("UPDATE tickets SET status = 'void' WHERE order_id = $1", [cancelled.orderId]);
    const other = await seedDoor(db, { count: 1, organizerId: organizer.userId });

    const refusedCancelled = await scan(organizer.token, event.eventId, { code: cancelled.code });
    expect([refusedCancelled.status, refusedCancelled.body.outcome]).toEqual([409, 'cancelled']);
    const wrongEvent = await scan(organizer.token, other.eventId, { code: kept.code });
    expect([wrongEvent.status, wrongEvent.body.outcome]).toEqual([422, 'other-event']);
    // A QR code drawn from the plain ticket code reads as the code.
    const plainQr = await scan(organizer.token, event.eventId, { payload: kept.code });
    expect([plainQr.status, plainQr.body.outcome]).toEqual([200, 'admitted']);
    const unknown = await scan(organizer.token, event.eventId, { code: 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ' });
    expect([unknown.status, unknown.body.outcome]).toEqual([404, 'unknown']);
    for (const refused of [refusedCancelled, wrongEvent, unknown])
      expect(statementsOf(refused), String(refused.status)).toBeGreaterThanOrEqual(1);
    const neither = await scan(organizer.token, event.eventId, {});
    expect(neither.status).toBe(400);
  });

  it('admits a ticket scanned at two gates at the same moment exactly once', async () => {
    const { organizer, event } = await door(20);
    const answers = await Promise.all(
      event.tickets.flatMap((ticket) =>
        ['North', 'South'].map((gate) => scan(organizer.token, event.eventId, { code: ticket.code, gate })),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(20);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(20);
    // The gate that lost is told where the ticket went in.
    for (const lost of answers.filter((answer) => answer.status === 409)) {
      expect(lost.body.outcome).toBe('already-admitted');
      expect(['North', 'South']).toContain(lost.body.admission.gate);
    }
    // Each answer, admitted or refused, counts its own statements, even those that waited for a pooled connection.
    expect(answers.map(statementsOf).filter((statements) => statements < 1)).toEqual([]);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM check_ins WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(rows[0].n).toBe(20);
  });
});

describe('an offline batch', () => {
  it('lets the earliest scan of a ticket win, even over an admission recorded online later, and reports conflicts', async () => {
    const { organizer, event } = await door(3);
    const [a, b, c] = event.tickets as [SeededTicket, SeededTicket, SeededTicket];
    const online = await scan(organizer.token, event.eventId, {
      code: a.code,
      gate: 'Main',
      scanId: 'online-a',
    });
    expect(online.status).toBe(200);
    const earlier = new Date(Date.parse(online.body.admission.scannedAt) - 60_000).toISOString();
    const later = new Date(Date.parse(online.body.admission.scannedAt) + 60_000).toISOString();

    const batch = await api('POST', `/v1/events/${event.eventId}/check-ins/batch`, {
      token: organizer.token,
      body: {
        gate: 'Side door',
        scans: [
          { scanId: 'offline-b2', code: b.code, scannedAt: later },
          { scanId: 'offline-a1', code: a.code, scannedAt: earlier },
          { scanId: 'offline-b1', code: b.code, scannedAt: earlier },
          { scanId: 'offline-c1', code: c.code, scannedAt: later },
          { scanId: 'offline-x1', payload: 'not.a.ticket', scannedAt: later },
        ],
      },
    });
    expect(batch.status).toBe(200);
    const outcome = Object.fromEntries(
      batch.body.results.map((r: { scanId: string; outcome: string }) => [r.scanId, r.outcome]),
    );
    expect(outcome).toEqual({
      'offline-b2': 'already-admitted',
      'offline-a1': 'admitted',
      'offline-b1': 'admitted',
      'offline-c1': 'admitted',
      'offline-x1': 'invalid-scan',
    });
    const a1 = batch.body.results.find((r: { scanId: string }) => r.scanId === 'offline-a1');
    expect(a1.displaced).toMatchObject({ scanId: 'online-a', gate: 'Main' });
    expect(batch.body).toMatchObject({ admitted: 3, conflicts: 2 });

    // The earliest scan is what the door now says.
    const after = await scan(organizer.token, event.eventId, { code: a.code });
    expect(after.body.admission).toMatchObject({ scanId: 'offline-a1', gate: 'Side door' });

    // Uploading the same batch again changes nothing.
    const replay = await api('POST', `/v1/events/${event.eventId}/check-ins/batch`, {
      token: organizer.token,
      body: { gate: 'Side door', scans: [{ scanId: 'offline-a1', code: a.code, scannedAt: earlier }] },
    });
    expect(replay.body.results[0].outcome).toBe('admitted');
    const { rows } = await db.query('SELECT count(*)::int AS n FROM check_ins WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(rows[0].n).toBe(3);
  });
});

describe('check-in stats', () => {
  it('count admissions by tier, by gate and per 5 minutes', async () => {
    const { organizer, event } = await door(4);
    for (const [i, ticket] of event.tickets.slice(0, 3).entries())
      expect(
        (await scan(organizer.token, event.eventId, { code: ticket.code, gate: i < 2 ? 'A' : 'B' })).status,
      ).toBe(200);
    const stats = await api('GET', `/v1/events/${event.eventId}/check-ins/stats`, { token: organizer.token });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ admitted: 3, tickets: 4 });
    expect(stats.body.byTier).toEqual([
      { tierId: event.tiers[0]?.tierId, name: 'General', admitted: 2, tickets: 2 },
      { tierId: event.tiers[1]?.tierId, name: 'VIP', admitted: 1, tickets: 2 },
    ]);
    expect(stats.body.byGate).toEqual([
      { gate: 'A', admitted: 2 },
      { gate: 'B', admitted: 1 },
    ]);
    const timeline = stats.body.timeline as { start: string; admitted: number }[];
    expect(timeline.reduce((sum, bucket) => sum + bucket.admitted, 0)).toBe(3);
    expect(timeline.every((bucket) => new Date(bucket.start).getTime() % 300_000 === 0)).toBe(true);
  });
});

describe('who may scan', () => {
  const team = (organizerId: string, eventId: string | null, members: unknown[], asOf: string) =>
    awsPublisher.publish({ topic: 'catalogue-events' }, [
      envelope('events', 'EventTeamChanged', 1, { organizerId, eventId, members, asOf }, 'test'),
    ]);

  it('a stranger is told there is no such event; check-in staff from the team may scan until revoked', async () => {
    const { organizer, event } = await door(2);
    const stranger = await person();
    const staff = await person();
    const code = (event.tickets[0] as { code: string }).code;

    const refused = await scan(stranger.token, event.eventId, { code });
    expect(refused.status).toBe(404);
    const stats = await api('GET', `/v1/events/${event.eventId}/check-ins/stats`, { token: stranger.token });
    expect(stats.status).toBe(404);

    await team(
      organizer.userId,
      event.eventId,
      [{ userId: staff.userId, role: 'check-in' }],
      '2026-01-01T10:00:00Z',
    );
    await expect
      .poll(async () => (await scan(staff.token, event.eventId, { code, scanId: 'staff-scan-1' })).status, {
        timeout: 30_000,
      })
      .toBe(200);

    // A late, older message changes nothing; a newer one without them revokes.
    await team(organizer.userId, event.eventId, [], '2026-01-01T09:00:00Z');
    await team(organizer.userId, event.eventId, [], '2026-01-01T11:00:00Z');
    await expect
      .poll(async () => (await scan(staff.token, event.eventId, { code })).status, { timeout: 30_000 })
      .toBe(404);
    const { rows } = await db.query('SELECT as_of FROM event_staff_versions WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(rows[0].as_of.toISOString()).toBe('2026-01-01T11:00:00.000Z');
  });

  it("reads the event's attendees as its manager, not as check-in staff", async () => {
    const { organizer, event } = await door(1);
    const manager = await person();
    const doorman = await person();
    await team(
      organizer.userId,
      event.eventId,
      [
        { userId: manager.userId, role: 'manager' },
        { userId: doorman.userId, role: 'check-in' },
      ],
      new Date().toISOString(),
    );
    const attendees = (token: string) =>
      api('GET', `/v1/organizer/events/${event.eventId}/attendees`, { token });
    await expect.poll(async () => (await attendees(manager.token)).status, { timeout: 30_000 }).toBe(200);
    expect((await attendees(manager.token)).body.items).toHaveLength(1);
    expect(
      (await scan(doorman.token, event.eventId, { code: (event.tickets[0] as SeededTicket).code })).status,
    ).toBe(200);
    expect((await attendees(doorman.token)).status).toBe(404);
  });

  it("a member of all the organizer's events may scan each of them", async () => {
    const { organizer, event } = await door(1);
    const staff = await person();
    await team(organizer.userId, null, [{ userId: staff.userId, role: 'manager' }], new Date().toISOString());
    await expect
      .poll(
        async () =>
          (await api('GET', `/v1/events/${event.eventId}/check-ins/stats`, { token: staff.token })).status,
        {
          timeout: 30_000,
        },
      )
      .toBe(200);
  });
});

describe('QR key rotation', () => {
  it('publishes the new key beside the old one, signs with it once scanners can know it, and old codes still admit', async () => {
    const { organizer, holder, event } = await door(2);
    const [a, b] = event.tickets as [SeededTicket, SeededTicket];
    const before = await scanPng(holder.token, a.id);
    const oldKid = decodeProtectedHeader(before).kid;
    const { handler: rotate } = await import('../../../functions/tickets/rotate-qr-keys.schedule');
    process.env.QR_KEY_MAX_AGE_DAYS = '0';
    try {
      expect(await rotate()).toEqual({ rotated: true });
    } finally {
      delete process.env.QR_KEY_MAX_AGE_DAYS;
    }
    const keys = await api('GET', '/v1/tickets/qr-keys');
    expect(keys.body.keys).toHaveLength(2);
    expect(keys.body.keys.map((key: { kid: string }) => key.kid)).toContain(oldKid);
    // Freshly published: codes are still signed with the previous key.
    expect(decodeProtectedHeader(await scanPng(holder.token, b.id)).kid).toBe(oldKid);

    process.env.QR_KEY_PUBLISH_DELAY_MINUTES = '0';
    try {
      const after = await scanPng(holder.token, b.id);
      expect(decodeProtectedHeader(after).kid).not.toBe(oldKid);
      for (const payload of [before, after]) {
        await expect(compactVerify(payload, createLocalJWKSet(keys.body))).resolves.toBeTruthy();
        expect((await scan(organizer.token, event.eventId, { payload })).status).toBe(200);
      }
    } finally {
      delete process.env.QR_KEY_PUBLISH_DELAY_MINUTES;
    }
  });
});
