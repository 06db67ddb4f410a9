// The local test-mode payment page of `npm run dev` (no Stripe account): an order's checkout URL shows the page, the
// test card 4242… pays it and 4000…0002 is declined, through Stripe-format signed webhooks to the same webhook.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { withIssuedPlatform } from '../../support/platform';
import { buy, buyerHeaders, putOnSale } from '../../support/purchases';
import type { TestIssuer } from '../../support/tokens';

let platform: Platform;
let issuer: TestIssuer;

withIssuedPlatform({ schedules: false, redisUrl: null }, (started) => {
  ({ platform, issuer } = started);
});

interface Order {
  id: string;
  status: string;
  tickets: unknown[];
  payment: { provider: string; checkoutUrl: string | null } | null;
}

async function heldOrder() {
  const onSale = await putOnSale(
    {
      name: 'Test-mode show',
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      timezone: 'Europe/Paris',
      place: 'Olympia, Paris, FR',
    },
    { name: 'Floor', price: 3500, currency: 'EUR', quantity: 5 },
  );
  const headers = await buyerHeaders(issuer, platform.apiUrl, {
    email: `page-${randomUUID()}@example.com`,
    givenName: 'Page',
  });
  const response = await buy(platform.apiUrl, headers, onSale, 2);
  expect(response.status).toBe(201);
  return { headers, order: (await response.json()) as Order };
}

const pay = (checkoutUrl: string, card: string) => {
  const url = new URL(checkoutUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set('card', card);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
};

const orderOf = async (headers: Record<string, string>, id: string) =>
  (await (await fetch(`${platform.apiUrl}/v1/orders/${id}`, { headers })).json()) as Order;

describe('the test-mode payment page', () => {
  it('shows the checkout of an order and pays it with the test card 4242 4242 4242 4242', async () => {
    const { headers, order } = await heldOrder();
    expect(order.payment?.provider).toBe('test-mode');
    const checkoutUrl = order.payment?.checkoutUrl ?? '';
    expect(checkoutUrl.startsWith(`${platform.apiUrl}/test-mode/pay/${order.id}?`)).toBe(true);

    const page = await fetch(checkoutUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Pay €70.00');
    expect(html).toContain('TEST MODE');

    const paid = await pay(checkoutUrl, '4242 4242 4242 4242');
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('Payment succeeded');
    const confirmed = await orderOf(headers, order.id);
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.tickets).toHaveLength(2);
  });

  it('declines 4000 0000 0000 0002 and releases the seats, and refuses any other card', async () => {
    const { headers, order } = await heldOrder();
    const checkoutUrl = order.payment?.checkoutUrl ?? '';
    const other = await pay(checkoutUrl, '5555 5555 5555 4444');
    expect(other.status).toBe(422);
    expect((await orderOf(headers, order.id)).status).toBe('awaiting_payment');

    const declined = await pay(checkoutUrl, '4000 0000 0000 0002');
    expect(await declined.text()).toContain('Card declined');
    expect((await orderOf(headers, order.id)).status).toBe('expired');
  });
});
