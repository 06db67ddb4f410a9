// The tickets service's ports: what its handlers need (stores, clock, publishing, metrics), built for real in
// deps.ts and faked in unit tests. Stores are the pg adapters' functions bound to the service's pool.
import type { EventAvailability } from '../../events/contracts/catalogue';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../events/contracts/tickets';
import type { PoolBound } from '../../layers/common/db';
import type { Envelope } from '../../layers/common/messages';
import type { CountedMetric } from '../../layers/common/metrics';
import type { Destination } from '../../layers/common/publisher';
import type { CancellationStore } from './cancellation.store';
import type * as dashboard from './dashboard.store';
import type * as history from './history.store';
import type * as inventory from './inventory.store';
import type { findOrder } from './orders.store';
import type { PaymentProvider } from './payments';
import type { PaymentStore } from './payments.store';
import type { PurchaseStore } from './purchasing';

export interface Buyer {
  userId: string;
  email: string;
  firstName: string;
}

export type CancelReason = OrderCancelledV1['reason'];

/** What an inventory change from the catalogue comes to: synced, or refused (and nothing written) with the reason. */
export type SyncOutcome =
  | { kind: 'synced'; availability: EventAvailability }
  | { kind: 'tiers-over-capacity'; total: number; capacity: number }
  | { kind: 'event-cancelled' }
  | { kind: 'tier-has-sales'; tiers: { tierId: string; sold: number }[] }
  | { kind: 'below-sold'; tiers: { tierId: string; quantity: number; sold: number }[] }
  | { kind: 'tier-conflict'; tierId: string };

type Bound<M> = { [K in keyof M]: PoolBound<M[K]> };

export interface OrderReads
  extends Bound<Pick<typeof history, 'listOrders' | 'listTickets' | 'listEventHistory'>> {
  findOrder: PoolBound<typeof findOrder>;
}
export type InventoryStore = Bound<Pick<typeof inventory, 'readAvailabilityAndLapses' | 'syncInventory'>>;
export type DashboardStore = Bound<
  Pick<
    typeof dashboard,
    'findOwnedEvent' | 'sealSales' | 'readMetricsFigures' | 'readDashboardFigures' | 'listAttendees'
  >
>;

/** JSON read through a short-lived cache: the text under `key`, or `load()` serialised (and kept when a cache is on). */
export type JsonCache = (
  key: string,
  load: () => Promise<unknown>,
) => Promise<{ body: string; hit: boolean }>;

/** No cache: every read loads. */
export const NO_CACHE: JsonCache = async (_key, load) => ({ body: JSON.stringify(await load()), hit: false });

/** Payments: the store, and the provider and webhook secret (read at first use: only payment functions need them). */
export interface PaymentsDeps {
  store: PaymentStore;
  provider: () => Promise<PaymentProvider>;
  webhookSecret: () => Promise<string>;
}

export interface TicketsDeps {
  purchases: PurchaseStore;
  /**
   * The shared availability snapshot (Redis): told after every committed change of an event's seats taken or
   * remaining, so the next public read shows it. Never fails (a Redis failure is logged nowhere and costs nothing
   * but the snapshot's expiry).
   */
  snapshots: { changed(eventIds: readonly string[]): Promise<void> };
  payments: PaymentsDeps;
  cancellations: CancellationStore;
  orders: OrderReads;
  inventory: InventoryStore;
  dashboard: DashboardStore;
  dashboardCache: JsonCache;
  now: () => Date;
  newId: () => string;
  /** Adds each ticket's signed QR payload to a TicketPurchased message; absent (tests), tickets carry none. */
  signTickets?: (data: TicketPurchasedV1) => Promise<TicketPurchasedV1>;
  /** Publishes committed outbox messages at once (the scheduled relay covers a publish that does not finish). */
  publish: (destination: Destination, messages: Envelope[]) => Promise<void>;
  /** Publishes whatever the outbox holds, now. */
  relay: () => Promise<void>;
  count: (metric: CountedMetric, value?: number) => void;
  warn: (message: string, attributes: Record<string, unknown>) => void;
}
