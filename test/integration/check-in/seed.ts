// Doors about to open: an event on sale in the tickets database with paid (confirmed) tickets, written straight in
// SQL so thousands of tickets take a second (the check-in tests and the doors-open bench share it).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ticketCode } from '../../../functions/tickets/orders';

export interface SeededTicket {
  id: string;
  code: string;
  tierId: string;
  orderId: string;
}

export interface SeededEvent {
  eventId: string;
  organizerId: string;
  tiers: { tierId: string; name: string }[];
  tickets: SeededTicket[];
}

/** `count` tickets over the given tiers (round robin), one order per `perOrder` tickets, all held by `holderId`. */
export async function seedDoor(
  db: pg.Pool | pg.Client,
  options: { count: number; holderId?: string; organizerId?: string; tiers?: string[]; perOrder?: number },
): Promise<SeededEvent> {
  const eventId = randomUUID();
  const organizerId = options.organizerId ?? randomUUID();
  const holderId = options.holderId ?? randomUUID();
  const perOrder = options.perOrder ?? 1;
  const tiers = (options.tiers ?? ['General', 'VIP']).map((name) => ({ tierId: randomUUID(), name }));
  const startsAt = new Date(Date.now() + 3600_000);
  await db.query(
    `INSERT INTO inventories (event_id, organizer_id, status, capacity, name, starts_at, ends_at, timezone, place)
     VALUES ($1, $2, 'on_sale', $3, 'Doors open', $4, $5, 'Europe/Paris', 'Zénith, Paris, FR')`,
    [eventId, organizerId, options.count, startsAt, new Date(startsAt.getTime() + 3 * 3600_000)],
  );
  for (const [position, tier] of tiers.entries()) {
    await db.query(
      `INSERT INTO tiers (tier_id, event_id, name, price, currency, quantity, position) VALUES ($1, $2, $3, 0, 'EUR', $4, $5)`,
      [tier.tierId, eventId, tier.name, options.count, position],
    );
  }
  const tickets: SeededTicket[] = Array.from({ length: options.count }, (_, i) => ({
    id: randomUUID(),
    code: ticketCode(),
    tierId: (tiers[i % tiers.length] as { tierId: string }).tierId,
    orderId: '',
  }));
  const orderIds: string[] = [];
  for (const [i, ticket] of tickets.entries()) {
    if (i % perOrder === 0) orderIds.push(randomUUID());
    ticket.orderId = orderIds[orderIds.length - 1] as string;
  }
  await db.query(
    `INSERT INTO orders (id, user_id, buyer_email, buyer_first_name, event_id, status, total, currency, event_name,
                         event_starts_at, event_ends_at, event_timezone, event_place)
     SELECT id, $2, 'holder@example.com', 'Ada', $3, 'confirmed', 0, 'EUR', 'Doors open', $4, $5, 'Europe/Paris', 'Zénith'
     FROM unnest($1::uuid[]) AS o(id)`,
    [orderIds, holderId, eventId, startsAt, new Date(startsAt.getTime() + 3 * 3600_000)],
  );
  await db.query(
    `INSERT INTO tickets (id, order_id, tier_id, code, status)
     SELECT id, order_id, tier_id, code, 'valid' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])
       AS t(id, order_id, tier_id, code)`,
    [
      tickets.map((t) => t.id),
      tickets.map((t) => t.orderId),
      tickets.map((t) => t.tierId),
      tickets.map((t) => t.code),
    ],
  );
  await db.query(
    `INSERT INTO order_items (order_id, tier_id, tier_name, quantity, unit_price)
     SELECT t.order_id, t.tier_id, tr.name, count(*), 0 FROM tickets t JOIN tiers tr ON tr.tier_id = t.tier_id
     WHERE tr.event_id = $1 GROUP BY t.order_id, t.tier_id, tr.name`,
    [eventId],
  );
  return { eventId, organizerId, tiers, tickets };
}
