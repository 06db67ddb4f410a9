// One order: its status, what was bought, each ticket's QR code, add to calendar and cancel.

import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, unwrap } from '../api/client';
import { RequireUser } from '../components/layout';
import { AddToCalendar, Tickets } from '../components/ticket-list';
import { Alert, Badge, Show, useLoad } from '../components/ui';
import { formatDateTime, formatMoney } from '../lib/format';

/** After a payment, how often and how long the page asks whether the provider has confirmed it (1 minute). */
const PAYMENT_CHECK_MS = 2_000;
const PAYMENT_CHECKS = 30;

export function OrderPage() {
  return (
    <RequireUser>
      <Order />
    </RequireUser>
  );
}

function Order() {
  const { params } = useRoute();
  const { query } = useLocation();
  const id = params.id ?? '';
  const [load, reload] = useLoad(
    () => unwrap(api.GET('/v1/orders/{id}', { params: { path: { id } } })),
    [id],
  );
  const [error, setError] = useState<string>();
  // Back from the payment page: the provider tells us (its webhook) moments after it tells the buyer, so ask again.
  const backFromPaying =
    Boolean(query.new) && load.state === 'ready' && load.data.status === 'awaiting_payment';
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (!backFromPaying || asked >= PAYMENT_CHECKS) return;
    const timer = setTimeout(() => {
      setAsked((n) => n + 1);
      reload();
    }, PAYMENT_CHECK_MS);
    return () => clearTimeout(timer);
  }, [backFromPaying, asked, reload]);
  return (
    <section>
      <Show load={load}>
        {(order) => (
          <>
            {query.new && order.status === 'confirmed' && (
              <Alert kind="success">Your order is confirmed. A confirmation email is on its way.</Alert>
            )}
            {backFromPaying && (
              <p role="status" class="muted">
                {asked < PAYMENT_CHECKS
                  ? 'Checking your payment with the payment provider…'
                  : 'The payment provider has not confirmed a payment yet. If you paid, your order is confirmed and emailed as soon as it does; if not, you can pay until your seats are released.'}
              </p>
            )}
            <h1>{order.event.name}</h1>
            <p>
              {formatDateTime(order.event.startsAt, order.event.timezone)} · {order.event.place}
            </p>
            <p>
              Order <span class="code">{order.id.slice(0, 8)}</span> · <OrderStatus status={order.status} /> ·{' '}
              {formatMoney(order.total, order.currency)}
              {order.refund !== null &&
                ` · refund ${order.refund.status === 'succeeded' ? '' : `${order.refund.status} `}${formatMoney(order.refund.amount, order.currency)}`}
            </p>
            {order.total > 0 && (order.status === 'confirmed' || order.status === 'awaiting_payment') && (
              <p class="muted">
                {order.refundableUntil === null
                  ? 'Not refundable: the organizer does not refund cancellations for this event.'
                  : Date.parse(order.refundableUntil) > Date.now()
                    ? `You can cancel for a full refund until ${formatDateTime(order.refundableUntil, order.event.timezone)}.`
                    : `Refunds ended on ${formatDateTime(order.refundableUntil, order.event.timezone)}.`}
              </p>
            )}
            <div class="row">
              <AddToCalendar event={order.event} />
              {order.status === 'confirmed' && cancellable(order) && (
                <CancelOrder id={order.id} onDone={reload} onError={setError} />
              )}
              {order.status === 'awaiting_payment' && order.payment?.checkoutUrl && (
                <a class="button" href={order.payment.checkoutUrl}>
                  Pay now (seats held until {formatDateTime(order.expiresAt ?? '', order.event.timezone)})
                </a>
              )}
            </div>
            {error && <Alert>{error}</Alert>}
            <h2>Tickets</h2>
            <Tickets tickets={order.tickets} eventName={order.event.name} />
          </>
        )}
      </Show>
    </section>
  );
}

/** A free order until the start; a paid one while cancelling still refunds it (the API refuses it otherwise). */
export function cancellable(order: {
  total: number;
  refundableUntil: string | null;
  event: { startsAt: string };
}) {
  const until = order.total > 0 ? order.refundableUntil : order.event.startsAt;
  return until !== null && Date.parse(until) > Date.now();
}

export function OrderStatus({
  status,
}: {
  status: 'awaiting_payment' | 'confirmed' | 'cancelled' | 'expired';
}) {
  if (status === 'confirmed') return <Badge tone="ok">Confirmed</Badge>;
  if (status === 'cancelled') return <Badge tone="bad">Cancelled</Badge>;
  if (status === 'expired') return <Badge tone="bad">Expired (not paid in time)</Badge>;
  return <Badge tone="warn">Awaiting payment</Badge>;
}

export function CancelOrder({
  id,
  onDone,
  onError,
}: {
  id: string;
  onDone: () => void;
  onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class="danger"
      disabled={busy}
      onClick={async () => {
        if (!confirm('Cancel this order? Its tickets stop working and the amount is refunded.')) return;
        setBusy(true);
        try {
          await unwrap(api.POST('/v1/orders/{id}/cancel', { params: { path: { id } } }));
          onDone();
        } catch (error) {
          onError((error as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      Cancel order
    </button>
  );
}
