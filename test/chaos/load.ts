// The purchase load a fault runs under, and what is checked after it. Buyers arrive at a steady rate, each with one
// Idempotency-Key that it keeps through every retry (a network error, a 5xx, a 503 outage or a contended seat), as
// the web app does; then the tickets database, the mail catcher and the buyers' own answers are compared.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { buy, buyerHeaders, type OnSale } from '../support/purchases';
import type { startTestIssuer } from '../support/tokens';

export interface BuyerOutcome {
  email: string;
  /** The final answer: 201, 409 (sold out), or 0 when the buyer gave up still retrying. */
  status: number;
  orderId?: string;
  attempts: number;
  /** When the final answer came (ms since the epoch). */
  at: number;
}

export interface Load {
  /** Resolves with every buyer's outcome once all have a final answer or gave up. */
  done: Promise<BuyerOutcome[]>;
  /** When a buyer last had a final answer (ms since the epoch), to time a recovery. */
  lastAnswer(): number;
  /** Every buyer has a final answer or gave up. */
  finished(): boolean;
}

const FINAL_CONFLICTS = new Set(['/problems/sold-out', '/problems/not-on-sale']);

async function oneBuyer(
  apiUrl: string,
  headers: Record<string, string>,
  email: string,
  onSale: OnSale,
  giveUpAt: number,
): Promise<BuyerOutcome> {
  const key = randomUUID();
  for (let attempts = 1; ; attempts++) {
    let wait = 250 + Math.random() * 750;
    try {
      const response = await buy(apiUrl, headers, onSale, 1, key);
      const body = (await response.json().catch(() => ({}))) as { id?: string; type?: string };
      if (response.status === 201) {
        return { email, status: 201, orderId: body.id, attempts, at: Date.now() };
      }
      if (response.status === 409 && body.type && FINAL_CONFLICTS.has(body.type))
        return { email, status: 409, attempts, at: Date.now() };
      const retryAfter = Number(response.headers.get('retry-after'));
      if (retryAfter > 0) wait = Math.min(retryAfter * 1000, 2_000) * (0.5 + Math.random() / 2);
    } catch {
      // the runtime is down or restarting: retry with the same key
    }
    if (Date.now() + wait > giveUpAt) return { email, status: 0, attempts, at: Date.now() };
    await sleep(wait);
  }
}

/** `buyers` buyers of one seat each, arriving `perSecond` a second; each gives up `patienceMs` after arriving. */
export function purchaseLoad(options: {
  apiUrl: string;
  issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  onSale: OnSale;
  buyers: number;
  perSecond: number;
  patienceMs: number;
}): Load {
  let lastAnswer = 0;
  let finished = false;
  const buyers = Array.from({ length: options.buyers }, async (_, index) => {
    await sleep((index * 1000) / options.perSecond);
    const email = `chaos-${randomUUID()}@example.com`;
    const headers = await buyerHeaders(options.issuer, options.apiUrl, { email, givenName: 'Chaos' });
    const outcome = await oneBuyer(
      options.apiUrl,
      headers,
      email,
      options.onSale,
      Date.now() + options.patienceMs,
    );
    if (outcome.status !== 0) lastAnswer = Math.max(lastAnswer, outcome.at);
    return outcome;
  });
  const done = Promise.all(buyers).finally(() => {
    finished = true;
  });
  return { done, lastAnswer: () => lastAnswer, finished: () => finished };
}

export interface Ledger {
  buyers: number;
  confirmed: number;
  /** Orders a buyer was told were made (201) that the database does not hold confirmed. */
  lost: number;
  /** Orders beyond the first of one buyer (one key each, so any second order is a duplicate). */
  duplicated: number;
  /** Seats in confirmed orders beyond the tier's quantity, plus any difference between those and its sold count. */
  oversold: number;
  /** Ticket codes that appear more than once. */
  duplicateCodes: number;
  /** Buyers still without a final answer when their patience ran out (their orders, if any, are counted above). */
  gaveUp: number;
  buyerEmails: Map<string, string>;
}

export async function readLedger(
  tickets: pg.Client,
  onSale: OnSale,
  outcomes: BuyerOutcome[],
): Promise<Ledger> {
  const orders = await tickets.query<{ id: string; buyer_email: string; seats: number }>(
    `SELECT o.id, o.buyer_email, (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id) AS seats
       FROM orders o WHERE o.event_id = $1 AND o.status = 'confirmed'`,
    [onSale.eventId],
  );
  const tier = await tickets.query<{ quantity: number; sold: number }>(
    'SELECT quantity, sold FROM tier_stock WHERE tier_id = $1',
    [onSale.tierId],
  );
  const codes = await tickets.query<{ repeated: number }>(
    `SELECT (count(*) - count(DISTINCT t.code))::int AS repeated
       FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.event_id = $1`,
    [onSale.eventId],
  );
  const confirmed = new Set(orders.rows.map((row) => row.id));
  const seats = orders.rows.reduce((sum, row) => sum + row.seats, 0);
  const { quantity, sold } = tier.rows[0] ?? { quantity: 0, sold: 0 };
  return {
    buyers: outcomes.length,
    confirmed: confirmed.size,
    lost: outcomes.filter((outcome) => outcome.orderId && !confirmed.has(outcome.orderId)).length,
    duplicated: orders.rows.length - new Set(orders.rows.map((row) => row.buyer_email)).size,
    oversold: Math.max(0, seats - quantity) + Math.abs(sold - seats),
    duplicateCodes: codes.rows[0]?.repeated ?? 0,
    gaveUp: outcomes.filter((outcome) => outcome.status === 0).length,
    buyerEmails: new Map(orders.rows.map((row) => [row.id, row.buyer_email])),
  };
}

/** How many confirmation emails each address received, from the mail catcher's REST API. */
export async function mailCounts(mailUrl: string): Promise<Map<string, number>> {
  const response = await fetch(`${mailUrl}/api/email`, { signal: AbortSignal.timeout(10_000) });
  const mails = (await response.json()) as { to?: { address: string }[] }[];
  const counts = new Map<string, number>();
  for (const mail of mails)
    for (const { address } of mail.to ?? []) counts.set(address, (counts.get(address) ?? 0) + 1);
  return counts;
}

export { pg };
