// What the dashboard tests share: organizers and buyers with tokens, events put on sale the way the events service
// does it, and purchases and cancellations through the HTTP API.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { InventorySyncRequest } from '../../../events/contracts/catalogue';
import { invokeInternal } from '../../../layers/common/internal';
import type { Platform } from '../../../local/platform';
import { type PayableOrder, paidOrder } from '../../support/payments';
import type { startTestIssuer } from '../../support/tokens';

type Issuer = Awaited<ReturnType<typeof startTestIssuer>>;

export interface Person {
  userId: string;
  token: string;
  email: string;
}

export function people(platform: Platform, issuer: Issuer) {
  return async (options: { firstName?: string; email?: string } = {}): Promise<Person> => {
    const userId = randomUUID();
    const email = options.email ?? `person-${userId}@example.com`;
    const token = await issuer.sign(
      {
        iss: platform.apiUrl,
        aud: 'ticketorleaveit-api',
        sub: userId,
        client_id: 'web',
        scope: 'api',
        email,
        given_name: options.firstName ?? 'Ada',
      },
      { expiresIn: '30m' },
    );
    return { userId, token, email };
  };
}

export interface TierSpec {
  name?: string;
  price: number;
  currency?: string;
  quantity: number;
}

export interface OnSale {
  eventId: string;
  name: string;
  tiers: { tierId: string; name: string; price: number; currency: string; quantity: number }[];
}

export async function putOnSale(
  organizerId: string,
  options: { tiers: TierSpec[]; timezone?: string; startsAt?: Date; name?: string; capacity?: number },
): Promise<OnSale> {
  const eventId = randomUUID();
  const startsAt = options.startsAt ?? new Date(Date.now() + 14 * 24 * 3600_000);
  const tiers = options.tiers.map((tier, index) => ({
    tierId: randomUUID(),
    name: tier.name ?? `Tier ${index + 1}`,
    price: tier.price,
    currency: tier.currency ?? 'EUR',
    quantity: tier.quantity,
  }));
  const name = options.name ?? `Show ${eventId.slice(0, 8)}`;
  const request: InventorySyncRequest = {
    eventId,
    organizerId,
    status: 'on_sale',
    capacity: options.capacity ?? tiers.reduce((sum, tier) => sum + tier.quantity, 0),
    event: {
      name,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3 * 3600_000).toISOString(),
      timezone: options.timezone ?? 'Europe/Paris',
      place: 'Olympia, Paris, FR',
    },
    tiers,
  };
  await invokeInternal('tickets.syncInventory', request, 'test');
  return { eventId, name, tiers };
}

export interface Order {
  id: string;
  total: number;
  currency: string;
  tickets: { id: string; code: string; tierId: string }[];
}

export function api(platform: Platform) {
  const get = (token: string | undefined, path: string) =>
    fetch(`${platform.apiUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const buy = async (buyer: Person, eventId: string, items: { tierId: string; quantity: number }[]) => {
    const response = await fetch(`${platform.apiUrl}/v1/events/${eventId}/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${buyer.token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ items }),
    });
    expect(response.status).toBe(201);
    // Priced tickets are paid through the payment webhook, as a buyer pays them.
    const order = (await response.json()) as Order & PayableOrder;
    return (await paidOrder(platform.apiUrl, `Bearer ${buyer.token}`, order)) as Order;
  };
  const cancel = async (buyer: Person, orderId: string) => {
    const response = await fetch(`${platform.apiUrl}/v1/orders/${orderId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${buyer.token}` },
    });
    expect(response.status).toBe(200);
  };
  const json = async <T>(token: string, path: string): Promise<T> => {
    const response = await get(token, path);
    expect(response.status, `${path}: ${response.status}`).toBe(200);
    return (await response.json()) as T;
  };
  return { get, buy, cancel, json };
}
