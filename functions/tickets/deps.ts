// Wiring of the tickets service's real dependencies, built once per container and shared by its handlers. Nothing
// here connects at import: the pool is made on first use. The dashboard reads add the Redis cache (cached-deps.ts).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { once, webAppUrl } from '../../layers/common/config';
import { bindPool, getPool } from '../../layers/common/db';
import { ForbiddenError } from '../../layers/common/errors';
import type { Caller } from '../../layers/common/http';
import { getLogger } from '../../layers/common/logger';
import { countMetric } from '../../layers/common/metrics';
import { publishFromRequest, relayNow } from '../../layers/common/outbox-relay';
import { pgCancellationStore } from './cancellation.store';
import {
  findOwnedEvent,
  listAttendees,
  readDashboardFigures,
  readMetricsFigures,
  sealSales,
} from './dashboard.store';
import { listEventHistory, listOrders, listTickets } from './history.store';
import { readAvailabilityAndLapses, syncInventory } from './inventory.store';
import { type Buyer, type JsonCache, NO_CACHE, type PaymentsDeps, type TicketsDeps } from './model';
import { findOrder } from './orders.store';
import { paymentsConfig, stripeClient, stripeProvider, testModeProvider } from './payments.provider';
import { pgPaymentStore } from './payments.store';
import { pgPurchaseStore } from './purchase.store';
import { withTicketQrs } from './qr-message';

const SERVICE = 'tickets';

/** The payment provider this environment pays with, and its webhook secret: read once, at first use. */
function realPayments(pool: () => Promise<pg.Pool>): PaymentsDeps {
  const config = once(paymentsConfig);
  const provider = once(async () => {
    const chosen = config();
    if (chosen.mode === 'test-mode') return testModeProvider(chosen.pageUrl);
    // Stripe's page sends the buyer back to the order in the web app, paid or not.
    return stripeProvider(
      stripeClient((await chosen.settings()).secretKey),
      (orderId) => `${webAppUrl()}/orders/${orderId}`,
    );
  });
  return {
    store: pgPaymentStore(pool),
    provider,
    webhookSecret: once(async () => {
      const chosen = config();
      return chosen.mode === 'test-mode' ? chosen.webhookSecret : (await chosen.settings()).webhookSecret;
    }),
  };
}

/** The dependencies around a given dashboard cache. */
export function buildDeps(dashboardCache: JsonCache): TicketsDeps {
  const pool = () => getPool(SERVICE);
  return {
    purchases: pgPurchaseStore(pool),
    snapshots: { changed: outdateSnapshots },
    payments: realPayments(pool),
    cancellations: pgCancellationStore(pool),
    orders: bindPool(pool, { findOrder, listOrders, listTickets, listEventHistory }),
    inventory: bindPool(pool, { readAvailabilityAndLapses, syncInventory }),
    dashboard: bindPool(pool, {
      findOwnedEvent,
      sealSales,
      readMetricsFigures,
      readDashboardFigures,
      listAttendees,
    }),
    dashboardCache,
    now: () => new Date(),
    newId: randomUUID,
    signTickets: (data) => withTicketQrs(data),
    publish: (destination, messages) => publishFromRequest(SERVICE, destination, messages),
    relay: () => relayNow(SERVICE),
    count: (metric, value) => countMetric(SERVICE, metric, value),
    warn: (message, attributes) => getLogger(SERVICE).warn(message, attributes),
  };
}

/**
 * Bumps the events' availability generations, outdating their snapshots. The Redis client loads on the first change
 * of seats, not at start, so a purchase function's cold start does not pay for it.
 */
async function outdateSnapshots(eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  const [{ readyRedis }, { bumpGenerations }] = await Promise.all([
    import('../../layers/common/redis'),
    import('../../events/contracts/availability-snapshot'),
  ]);
  await bumpGenerations(await readyRedis(), eventIds);
}

/** For every function but the dashboard reads: no Redis client loaded at start. */
export const realDeps = once(() => buildDeps(NO_CACHE));

/** Tokens from our auth service carry the buyer's email and first name (for the confirmation email). */
export function buyerOf(caller: Caller): Buyer {
  const email = caller.claims.email;
  if (typeof email !== 'string' || email === '')
    throw new ForbiddenError('The access token carries no email address.');
  return { userId: caller.userId, email, firstName: String(caller.claims.given_name ?? '') };
}
