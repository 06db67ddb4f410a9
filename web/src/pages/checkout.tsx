// Checkout: what is being bought and its total, then the purchase. Every answer of the purchase API is told as it
// is (sold out with what remains, not on sale, a bad request); seats-contended is retried with the same
// Idempotency-Key, so however often the request goes out, at most one order exists.

import { useMemo, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, type paths, unwrap } from '../api/client';
import { signIn, useUser } from '../auth/session';
import { Alert, Show, useLoad } from '../components/ui';
import { formatDateTime, formatMoney } from '../lib/format';
import { type PurchaseOutcome, purchaseWithRetry } from '../lib/purchase';

type Order = paths['/v1/events/{id}/orders']['post']['responses'][201]['content']['application/json'];

function parseItems(raw: string | undefined): { tierId: string; quantity: number }[] {
  return (raw ?? '')
    .split(',')
    .map((pair) => pair.split(':'))
    .map(([tierId, quantity]) => ({ tierId: tierId ?? '', quantity: Number(quantity) }))
    .filter((item) => item.tierId && Number.isInteger(item.quantity) && item.quantity > 0);
}

export function CheckoutPage() {
  const { params } = useRoute();
  const { query, route, url } = useLocation();
  const { user, ready } = useUser();
  const id = params.id ?? '';
  const items = useMemo(() => parseItems(query.items), [query.items]);
  const [load] = useLoad(() => unwrap(api.GET('/v1/events/{id}', { params: { path: { id } } })), [id]);
  // One key per checkout: a retry (automatic or a second click after a network error) can never buy twice.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<PurchaseOutcome<Order>>();

  const buy = async () => {
    setOutcome(undefined);
    setBusy('Buying your tickets…');
    const result = await purchaseWithRetry<Order>({
      idempotencyKey: key,
      onRetry: (attempt) => setBusy(`Many people are buying right now; trying again (${attempt + 1})…`),
      send: async (idempotencyKey) => {
        const { data, error, response } = await api.POST('/v1/events/{id}/orders', {
          params: { path: { id }, header: { 'Idempotency-Key': idempotencyKey } },
          body: { items },
        });
        return { status: response.status, body: data ?? error };
      },
    });
    setBusy(undefined);
    if (result.kind === 'confirmed') {
      // A paid order holds its seats until paid: on to the payment page (the local test-mode page plays Stripe's).
      const checkoutUrl =
        result.order.status === 'awaiting_payment' ? result.order.payment?.checkoutUrl : null;
      if (checkoutUrl) return window.location.assign(checkoutUrl);
      return route(`/orders/${result.order.id}?new=1`);
    }
    if (result.kind === 'signed-out') return signIn({ returnTo: url });
    if (result.kind === 'key-reused') setKey(crypto.randomUUID());
    setOutcome(result);
  };

  return (
    <section class="narrow">
      <h1>Checkout</h1>
      <Show load={load}>
        {(event) => {
          const tierOf = (tierId: string) => event.ticketTiers.find((tier) => tier.id === tierId);
          const lines = items.map((item) => ({ ...item, tier: tierOf(item.tierId) }));
          const currency = lines[0]?.tier?.currency ?? 'EUR';
          const total = lines.reduce((sum, line) => sum + (line.tier?.price ?? 0) * line.quantity, 0);
          return (
            <div class="card">
              <h2>{event.name}</h2>
              <p class="muted">{formatDateTime(event.startsAt, event.timezone)}</p>
              {lines.length === 0 || lines.some((line) => !line.tier) ? (
                <Alert>
                  These tickets are not on this event. <a href={`/events/${id}`}>Choose again</a>.
                </Alert>
              ) : (
                <>
                  <table class="summary">
                    <caption class="visually-hidden">Your tickets</caption>
                    <thead>
                      <tr>
                        <th scope="col">Ticket</th>
                        <th scope="col">Quantity</th>
                        <th scope="col">Price</th>
                      </tr>
                    </thead>
                    <tbody>
                      {lines.map((line) => (
                        <tr key={line.tierId}>
                          <td>{line.tier?.name}</td>
                          <td>{line.quantity}</td>
                          <td>{formatMoney((line.tier?.price ?? 0) * line.quantity, currency)}</td>
                        </tr>
                      ))}
                    </tbody>
                    <tfoot>
                      <tr>
                        <th scope="row" colSpan={2}>
                          Total
                        </th>
                        <td>
                          <strong>{formatMoney(total, currency)}</strong>
                        </td>
                      </tr>
                    </tfoot>
                  </table>
                  <OutcomeMessage
                    outcome={outcome}
                    tierName={(tierId) => tierOf(tierId)?.name ?? tierId}
                    id={id}
                  />
                  {busy && (
                    <p role="status" aria-live="polite">
                      {busy}
                    </p>
                  )}
                  {!ready ? null : user ? (
                    <button type="button" class="primary wide" disabled={busy !== undefined} onClick={buy}>
                      Confirm purchase
                    </button>
                  ) : (
                    <button type="button" class="primary wide" onClick={() => signIn({ returnTo: url })}>
                      Sign in to buy
                    </button>
                  )}
                </>
              )}
            </div>
          );
        }}
      </Show>
    </section>
  );
}

function OutcomeMessage({
  outcome,
  tierName,
  id,
}: {
  outcome: PurchaseOutcome<Order> | undefined;
  tierName: (tierId: string) => string;
  id: string;
}) {
  if (!outcome || outcome.kind === 'confirmed' || outcome.kind === 'signed-out') return null;
  if (outcome.kind === 'sold-out') {
    return (
      <Alert>
        <p>
          <strong>Sold out.</strong> {outcome.message}
        </p>
        {outcome.remaining.length > 0 && (
          <ul>
            {outcome.remaining.map((tier) => (
              <li key={tier.tierId}>
                {tierName(tier.tierId)}: {tier.remaining === 0 ? 'none left' : `${tier.remaining} left`}
              </li>
            ))}
          </ul>
        )}
        <a href={`/events/${id}`}>Choose other tickets</a>
      </Alert>
    );
  }
  if (outcome.kind === 'not-on-sale')
    return (
      <Alert>
        <strong>Not on sale.</strong> {outcome.message}
      </Alert>
    );
  return <Alert>{outcome.message}</Alert>;
}
