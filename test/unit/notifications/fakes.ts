// In-memory stand-ins for the notifications store and mailer, for unit tests of its rules.
import { randomUUID } from 'node:crypto';
import type { EventChangedV1 } from '../../../events/contracts/catalogue';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../../events/contracts/tickets';
import type { EventDetails, EventDetailsStore } from '../../../functions/notifications/event-changes';
import { type Mailer, type OutgoingEmail, sender } from '../../../functions/notifications/mailer';
import type {
  Claim,
  DeliverySpec,
  Holder,
  Log,
  NotificationStore,
  ScanDeps,
  SendDeps,
} from '../../../functions/notifications/notifications';
import { testClock } from '../../support/clock';

interface HoldingRecord extends Holder {
  orderId: string;
  status: 'confirmed' | 'cancelled';
  purchasedAt?: Date;
}

interface DeliveryRecord extends DeliverySpec {
  id: string;
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
  claimedAt: Date;
  sentAt?: Date;
  lastError?: string;
}

/** Who holds an order's tickets, for which event: what a purchase and a cancellation message both say. */
const holder = (order: TicketPurchasedV1 | OrderCancelledV1) => ({
  orderId: order.orderId,
  userId: order.buyer.userId,
  email: order.buyer.email,
  firstName: order.buyer.firstName,
  eventId: order.eventId,
  event: order.event,
});

export function memoryStore(now: () => Date = () => new Date()) {
  const holdings = new Map<string, HoldingRecord>();
  const deliveries = new Map<string, DeliveryRecord>();
  const reminders = new Set<string>();
  const queued: { eventId: string; userId: string }[] = [];
  const store: NotificationStore = {
    async recordPurchase(order, at) {
      const existing = holdings.get(order.orderId);
      holdings.set(order.orderId, {
        ...holder(order),
        ticketCount: order.tickets.length,
        ticketCodes: order.tickets.map((ticket) => ticket.code),
        status: existing?.status ?? 'confirmed',
        purchasedAt: at,
      });
      return existing?.status ?? 'confirmed';
    },
    async recordCancellation(order) {
      const existing = holdings.get(order.orderId);
      holdings.set(order.orderId, {
        ...holder(order),
        ticketCount: existing?.ticketCount ?? 0,
        ticketCodes: existing?.ticketCodes ?? [],
        status: 'cancelled',
      });
    },
    async holderOf(eventId, userId) {
      const rows = [...holdings.values()].filter(
        (row) => row.eventId === eventId && row.userId === userId && row.status === 'confirmed',
      );
      const latest = rows[rows.length - 1];
      if (!latest) return undefined;
      return {
        ...latest,
        ticketCount: rows.reduce((sum, row) => sum + row.ticketCount, 0),
        ticketCodes: rows.flatMap((row) => row.ticketCodes),
      };
    },
    async queueDueReminders(from, until) {
      let count = 0;
      for (const row of holdings.values()) {
        const startsAt = new Date(row.event.startsAt);
        const key = `${row.eventId}:${row.userId}`;
        if (row.status !== 'confirmed' || startsAt <= from || startsAt > until || reminders.has(key))
          continue;
        reminders.add(key);
        queued.push({ eventId: row.eventId, userId: row.userId });
        count++;
      }
      return count;
    },
    async claimDelivery(spec): Promise<Claim> {
      const existing = deliveries.get(spec.key);
      if (!existing || existing.status === 'failed') {
        const id = existing?.id ?? randomUUID();
        deliveries.set(spec.key, {
          ...spec,
          id,
          status: 'sending',
          attempts: (existing?.attempts ?? 0) + 1,
          claimedAt: now(),
        });
        return { state: 'claimed', id };
      }
      if (existing.status === 'sent') return { state: 'sent' };
      return { state: 'sending', id: existing.id, claimedAt: existing.claimedAt };
    },
    async markSent(id) {
      const row = [...deliveries.values()].find((candidate) => candidate.id === id);
      if (row) Object.assign(row, { status: 'sent', sentAt: now() });
    },
    async releaseDelivery(id, error) {
      const row = [...deliveries.values()].find((candidate) => candidate.id === id);
      if (row?.status === 'sending') Object.assign(row, { status: 'failed', lastError: error });
    },
    async takeOverStale(id, claimedAt) {
      const row = [...deliveries.values()].find((candidate) => candidate.id === id);
      if (row?.status !== 'sending' || row.claimedAt.getTime() !== claimedAt.getTime()) return false;
      Object.assign(row, { claimedAt: now(), attempts: row.attempts + 1 });
      return true;
    },
    async sentTo() {
      return { items: [], nextCursor: null };
    },
  };
  return { store, holdings, deliveries, queued };
}

/** A mailer that records what it sent, and fails the next `failures` sends with `error`. */
export function fakeMailer(options: { failures?: number; error?: () => Error } = {}) {
  const sent: OutgoingEmail[] = [];
  let failures = options.failures ?? 0;
  let attempts = 0;
  const mailer: Mailer & { sent: OutgoingEmail[]; attempts: () => number; failNext: (n: number) => void } = {
    sent,
    attempts: () => attempts,
    failNext: (n) => {
      failures = n;
    },
    async send(email) {
      attempts++;
      if (failures > 0) {
        failures--;
        throw options.error?.() ?? Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' });
      }
      sent.push(email);
      return { messageId: `<${sent.length}@test>` };
    },
  };
  return mailer;
}

/** A log that keeps its lines, for tests that check what was said. */
export function memoryLog() {
  const lines: { level: 'info' | 'warn'; message: string }[] = [];
  const log: Log = {
    info: (input) => {
      lines.push({ level: 'info', message: typeof input === 'string' ? input : input.message });
    },
    warn: (input) => {
      lines.push({ level: 'warn', message: typeof input === 'string' ? input : input.message });
    },
  };
  return { log, lines };
}

/** Event details by event id, and holders set by the test (the SQL is tested against PostgreSQL). */
export function memoryDetails() {
  const byEvent = new Map<string, EventDetails>();
  const holders: Holder[] = [];
  const applied: EventChangedV1[] = [];
  const store: EventDetailsStore = {
    detailsOf: async (eventId) => byEvent.get(eventId),
    applyChange: async (change) => {
      const newest = applied.filter((seen) => seen.eventId === change.eventId).at(-1);
      if (newest && newest.asOf > change.asOf) return false;
      applied.push(change);
      byEvent.set(change.eventId, {
        location: change.location,
        cancelReason: byEvent.get(change.eventId)?.cancelReason ?? null,
      });
      return true;
    },
    recordCancelReason: async (cancelled) => {
      byEvent.set(cancelled.eventId, {
        location: byEvent.get(cancelled.eventId)?.location ?? null,
        cancelReason: cancelled.reason ?? null,
      });
    },
    holdersOf: async (eventId) => holders.filter((holder) => holder.eventId === eventId),
  };
  return { store, byEvent, holders, applied };
}

export function fakeDeps(overrides: Partial<SendDeps & ScanDeps> = {}) {
  const clock = testClock('2026-06-01T12:00:00Z');
  const now = clock.now;
  const memory = memoryStore(now);
  const mailer = fakeMailer();
  let relayed = 0;
  const details = memoryDetails();
  const deps: SendDeps & ScanDeps = {
    store: memory.store,
    details: details.store,
    webAppUrl: 'https://tickets.example',
    sender: sender(mailer, { execute: (fn) => fn() }),
    now,
    relay: async () => {
      const published = memory.queued.length - relayed;
      relayed = memory.queued.length;
      return { published, failed: 0 };
    },
    reminderWindowHours: () => 24,
    ...overrides,
  };
  return {
    deps,
    memory,
    details,
    mailer,
    advance: clock.advance,
  };
}
