// An event's attendees, as a paginated list and as a CSV export read back with a real CSV parser: one row per ticket,
// cells a spreadsheet would run as formulas neutralised, quoting that survives commas, quotes and line breaks.
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attendee } from '../../../functions/tickets/dashboard.schemas';
import type { Platform } from '../../../local/platform';
import { databasePool } from '../../support/db';
import { withIssuedPlatform } from '../../support/platform';
import type { TestIssuer } from '../../support/tokens';
import { api, type OnSale, type Order, type Person, people, putOnSale } from './helpers';

let platform: Platform;
let issuer: TestIssuer;
let db: pg.Pool;
let http: ReturnType<typeof api>;
let organizer: Person;
let event: OnSale;
const orders: { buyer: Person; firstName: string; order: Order }[] = [];

const hostileNames = [
  '=HYPERLINK("http://x")',
  '+1+2',
  '-2+3',
  '@SUM(A1:A2)',
  '\tTabbed',
  '\rReturned',
  'Doe, "JD"',
  'Line\nbreak',
  'Zoë',
];

withIssuedPlatform({ schedules: false, redisUrl: null }, async (started) => {
  ({ platform, issuer } = started);
  db = databasePool(platform.databaseUrls.tickets);
  http = api(platform);
  const person = people(platform, issuer);
  organizer = await person();
  event = await putOnSale(organizer.userId, {
    name: 'Gala, "Summer" = 2026',
    tiers: [
      { name: 'Standard', price: 2500, quantity: 40 },
      { name: '=VIP', price: 12_050, quantity: 10 },
    ],
    timezone: 'Asia/Tokyo',
  });
  const [standard, vip] = event.tiers;
  // One buyer after the other, a millisecond apart at least, so purchase order is well defined.
  for (const [index, firstName] of hostileNames.entries()) {
    const buyer = await person({ firstName, email: index === 0 ? '+33@example.com' : undefined });
    const items = [{ tierId: standard?.tierId ?? '', quantity: 1 + (index % 2) }];
    if (index % 3 === 0) items.push({ tierId: vip?.tierId ?? '', quantity: 1 });
    orders.push({ buyer, firstName, order: await http.buy(buyer, event.eventId, items) });
  }
  await http.cancel(orders[2]?.buyer as Person, orders[2]?.order.id ?? '');
  // A known instant, to check the local time column: 2026-07-01 09:30 in Tokyo.
  await db.query(`UPDATE orders SET created_at = '2026-07-01T00:30:00Z' WHERE id = $1`, [
    orders[0]?.order.id,
  ]);
});
afterAll(async () => {
  await db?.end();
});

const allTickets = () => orders.flatMap(({ order }) => order.tickets.map((ticket) => ticket.id));

describe('the attendee list', () => {
  it('pages through every ticket once, in purchase order, with its buyer and tier', async () => {
    const seen: Attendee[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: Attendee[]; nextCursor: string | null } = await http.json(
        organizer.token,
        `/v1/organizer/events/${event.eventId}/attendees?${query}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen.map((attendee) => attendee.ticketId).sort()).toEqual(allTickets().sort());
    const purchased = seen.map((attendee) => attendee.purchasedAt);
    expect(purchased).toEqual([...purchased].sort());
    const first = seen[0];
    expect(first).toMatchObject({
      orderId: orders[0]?.order.id,
      firstName: '=HYPERLINK("http://x")',
      email: '+33@example.com',
      purchasedAt: '2026-07-01T00:30:00.000Z',
      purchasedAtLocal: '2026-07-01T09:30:00+09:00',
      ticketStatus: 'valid',
      orderStatus: 'confirmed',
    });
    const cancelled = seen.filter((attendee) => attendee.orderId === orders[2]?.order.id);
    expect(cancelled.map((attendee) => [attendee.ticketStatus, attendee.orderStatus])).toEqual(
      cancelled.map(() => ['void', 'cancelled']),
    );
  });

  it('lists only valid tickets when asked', async () => {
    const page = await http.json<{ items: Attendee[] }>(
      organizer.token,
      `/v1/organizer/events/${event.eventId}/attendees?status=valid&limit=100`,
    );
    const voided = orders[2]?.order.tickets.length ?? 0;
    expect(page.items).toHaveLength(allTickets().length - voided);
    expect(page.items.every((attendee) => attendee.ticketStatus === 'valid')).toBe(true);
  });
});

describe('the CSV export', () => {
  const exportPath = (query = '') =>
    `/v1/organizer/events/${event.eventId}/attendees.csv${query ? `?${query}` : ''}`;
  const read = (text: string) =>
    parse(text, { bom: true, columns: true, skip_empty_lines: false }) as Record<string, string>[];

  it('is a CSV attachment with one row per ticket that a parser reads back exactly', async () => {
    const response = await http.get(organizer.token, exportPath());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="attendees-gala-summer-2026-[0-9a-f]{8}\.csv"$/,
    );
    expect(response.headers.get('x-next-cursor')).toBeNull();
    // Bytes, not response.text(): a UTF-8 decoder drops the byte order mark that spreadsheets need.
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(
      text.startsWith('\uFEFFticket_code,ticket_status,tier,buyer_first_name,buyer_email,order_id,'),
    ).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);

    const rows = read(text);
    expect(rows.map((row) => row.ticket_code).sort()).toEqual(
      orders.flatMap(({ order }) => order.tickets.map((ticket) => ticket.code)).sort(),
    );
    const first = rows.filter((row) => row.order_id === orders[0]?.order.id);
    expect(first.map((row) => row.tier).sort()).toEqual(["'=VIP", 'Standard']);
    expect(first[0]).toMatchObject({
      order_status: 'confirmed',
      order_total: '145.50',
      order_refund: '',
      currency: 'EUR',
      purchased_at_local: '2026-07-01 09:30:00',
      timezone: 'Asia/Tokyo',
      purchased_at_utc: '2026-07-01T00:30:00.000Z',
    });
    const refunded = rows.find((row) => row.order_id === orders[2]?.order.id);
    expect(refunded).toMatchObject({
      ticket_status: 'void',
      order_status: 'cancelled',
      order_refund: '25.00',
    });
    expect(refunded?.cancelled_at_local).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('neutralises every cell a spreadsheet would run as a formula, and keeps the rest as typed', async () => {
    const rows = read(await (await http.get(organizer.token, exportPath())).text());
    const nameOf = (index: number) =>
      rows.find((row) => row.order_id === orders[index]?.order.id)?.buyer_first_name;

    expect(hostileNames.map((_, index) => nameOf(index))).toEqual([
      `'=HYPERLINK("http://x")`,
      "'+1+2",
      "'-2+3",
      "'@SUM(A1:A2)",
      "'\tTabbed",
      "'\rReturned",
      'Doe, "JD"',
      'Line\nbreak',
      'Zoë',
    ]);
    expect(rows.find((row) => row.order_id === orders[0]?.order.id)?.buyer_email).toBe("'+33@example.com");
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('comes in files of at most `limit` rows, each continuing where the last stopped', async () => {
    const codes: string[] = [];
    let query = 'limit=5';
    let files = 0;
    for (;;) {
      const response = await http.get(organizer.token, exportPath(query));
      expect(response.status).toBe(200);
      const rows = read(await response.text());
      expect(rows.length).toBeLessThanOrEqual(5);
      expect(response.headers.get('x-export-rows')).toBe(String(rows.length));
      codes.push(...rows.map((row) => row.ticket_code as string));
      files += 1;
      const next = response.headers.get('x-next-cursor');
      if (!next) break;
      expect(response.headers.get('link')).toBe(
        `</v1/organizer/events/${event.eventId}/attendees.csv?cursor=${next}&limit=5>; rel="next"`,
      );
      query = `limit=5&cursor=${next}`;
    }
    expect(files).toBe(Math.ceil(allTickets().length / 5));
    expect(codes.sort()).toEqual(
      orders.flatMap(({ order }) => order.tickets.map((ticket) => ticket.code)).sort(),
    );
  });
});
