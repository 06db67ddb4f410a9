// Checkout's answer to every outcome of POST /v1/events/{id}/orders. Seats-contended (many buyers took the last
// seats at once) is retried automatically with the SAME Idempotency-Key, so a retry can never buy twice; the
// other refusals are told to the buyer as they are.

export type PurchaseOutcome<Order> =
  | { kind: 'confirmed'; order: Order }
  | { kind: 'sold-out'; message: string; remaining: { tierId: string; remaining: number }[] }
  | { kind: 'not-on-sale'; message: string }
  | { kind: 'busy'; message: string }
  | { kind: 'key-reused'; message: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'signed-out' }
  | { kind: 'failed'; message: string };

export interface PurchaseAnswer {
  status: number;
  body: unknown;
}

interface ProblemLike {
  type?: string;
  title?: string;
  detail?: string;
  remaining?: { tierId: string; remaining: number }[];
  errors?: { field?: string; message?: string }[];
}

/** The problem type's last path segment: ".../problems/seats-contended" → "seats-contended". */
const slugOf = (type: string | undefined) => (type ?? '').split('/').pop() ?? '';

export function classify<Order>(answer: PurchaseAnswer): PurchaseOutcome<Order> | { kind: 'retry' } {
  const problem = (answer.body ?? {}) as ProblemLike;
  const message = problem.detail ?? problem.title ?? `The server answered ${answer.status}.`;
  if (answer.status === 201 || answer.status === 200)
    return { kind: 'confirmed', order: answer.body as Order };
  if (answer.status === 401) return { kind: 'signed-out' };
  if (answer.status === 409) {
    const slug = slugOf(problem.type);
    if (slug === 'seats-contended' || slug === 'idempotency-key-in-use') return { kind: 'retry' };
    if (slug === 'sold-out') return { kind: 'sold-out', message, remaining: problem.remaining ?? [] };
    if (slug === 'not-on-sale') return { kind: 'not-on-sale', message };
    if (problem.remaining) return { kind: 'sold-out', message, remaining: problem.remaining };
    return { kind: 'busy', message };
  }
  if (answer.status === 422) return { kind: 'key-reused', message };
  if (answer.status === 400) {
    const fields = problem.errors?.map((error) => error.message).filter(Boolean);
    return { kind: 'invalid', message: fields?.length ? fields.join(' ') : message };
  }
  if (answer.status === 429 || answer.status >= 500) return { kind: 'retry' };
  return { kind: 'failed', message };
}

export interface PurchaseOptions {
  send: (idempotencyKey: string) => Promise<PurchaseAnswer>;
  idempotencyKey: string;
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Waits between attempts (ms before attempt n+1): backoff with jitter. */
  delay?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (attempt: number) => void;
}

export async function purchaseWithRetry<Order>(options: PurchaseOptions): Promise<PurchaseOutcome<Order>> {
  const attempts = options.attempts ?? 5;
  const delay = options.delay ?? ((attempt: number) => Math.random() * 200 * 2 ** attempt);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    let answer: PurchaseAnswer;
    try {
      answer = await options.send(options.idempotencyKey);
    } catch {
      // The network failed: the order may or may not exist; the same key makes the retry safe either way.
      answer = { status: 503, body: { detail: 'The connection failed.' } };
    }
    const outcome = classify<Order>(answer);
    if (outcome.kind !== 'retry') return outcome;
    if (attempt >= attempts) {
      return {
        kind: 'busy',
        message:
          'Many people are buying the same seats right now and we could not get yours. Please try again in a moment.',
      };
    }
    options.onRetry?.(attempt);
    await sleep(delay(attempt));
  }
}

/** A tier as the event page shows it: its seats left (null: not known right now). */
export interface TierSeats {
  id: string;
  remaining: number | null;
}

/** The most of one tier a buyer may choose in one order. */
export const MAX_PER_TIER = 10;

/** The most the buyer may choose of a tier now: none of a sold-out tier, never more than it has left. */
export function mostOf(tier: TierSeats): number {
  return Math.max(0, Math.min(MAX_PER_TIER, tier.remaining ?? MAX_PER_TIER));
}

/**
 * The tickets the buyer has chosen, as far as the seats left allow. Seats left are refreshed while the page is open,
 * so a tier can sell out (or fall below what was chosen) after the choice: the choice is lowered to what is left and
 * the tiers so lowered are named, so the page can say so before checkout refuses the order.
 */
export function ticketChoice(
  tiers: readonly TierSeats[],
  quantities: Readonly<Record<string, number>>,
): { items: { tierId: string; quantity: number }[]; lowered: string[] } {
  const items: { tierId: string; quantity: number }[] = [];
  const lowered: string[] = [];
  for (const tier of tiers) {
    const wanted = quantities[tier.id] ?? 0;
    const quantity = Math.min(wanted, mostOf(tier));
    if (quantity < wanted) lowered.push(tier.id);
    if (quantity > 0) items.push({ tierId: tier.id, quantity });
  }
  return { items, lowered };
}
