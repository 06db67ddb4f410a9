// Buying through the API in tests that are not about tickets: an event put on sale through tickets' internal
// inventory call (as publishing an event does), a buyer signed in with a test issuer's token, and the purchase.
import { randomUUID } from 'node:crypto';
import type { EventSnapshot, InventorySyncRequest } from '../../events/contracts/catalogue';
import { invokeInternal } from '../../layers/common/internal';
import type { startTestIssuer } from './tokens';

export interface OnSale {
  eventId: string;
  tierId: string;
}

/** Puts an event with one tier on sale in the tickets service (an organizer of its own unless one is given). */
export async function putOnSale(
  event: EventSnapshot,
  tier: { name: string; price: number; currency: string; quantity: number },
  organizerId: string = randomUUID(),
): Promise<OnSale> {
  const eventId = randomUUID();
  const tierId = randomUUID();
  const inventory: InventorySyncRequest = {
    eventId,
    organizerId,
    status: 'on_sale',
    capacity: tier.quantity,
    event,
    tiers: [{ tierId, ...tier }],
  };
  await invokeInternal('tickets.syncInventory', inventory, `on-sale-${eventId}`);
  return { eventId, tierId };
}

/** A signed-in person: the authorization header of a token the platform's authorizer accepts. */
export async function buyerHeaders(
  issuer: Awaited<ReturnType<typeof startTestIssuer>>,
  apiUrl: string,
  buyer: { email: string; givenName: string; familyName?: string; userId?: string },
) {
  const token = await issuer.sign({
    iss: apiUrl,
    aud: 'ticketorleaveit-api',
    sub: buyer.userId ?? randomUUID(),
    client_id: 'web',
    scope: 'api',
    email: buyer.email,
    given_name: buyer.givenName,
    ...(buyer.familyName ? { family_name: buyer.familyName } : {}),
  });
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

/** POST /v1/events/{id}/orders with a fresh Idempotency-Key unless one is given. */
export const buy = (
  apiUrl: string,
  headers: Record<string, string>,
  onSale: OnSale,
  quantity: number,
  idempotencyKey: string = randomUUID(),
) =>
  fetch(`${apiUrl}/v1/events/${onSale.eventId}/orders`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ items: [{ tierId: onSale.tierId, quantity }] }),
  });
