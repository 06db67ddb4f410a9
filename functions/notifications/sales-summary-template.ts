// The organizer's daily sales summary email: per event, tickets and revenue by tier, refunds and check-ins.
import type { EventSalesSummary } from '../../events/contracts/sales-summary';
import { formatMoney, LOCALE, oneLine } from './format';
import type { SalesSummaryDueV1 } from './sales-summaries.schemas';
import { BRAND, type Email, greeting, h, layout, text } from './templates';

const dayFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

/** Sums amounts per currency, in a stable order (money in different currencies is never added up). */
function totals(amounts: { currency: string; amount: number }[]): string {
  const byCurrency = new Map<string, number>();
  for (const { currency, amount } of amounts)
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + amount);
  return [...byCurrency]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => formatMoney(amount, currency))
    .join(' + ');
}

/** The lines about one event, in plain text; the HTML shows the same lines. */
function eventLines(event: EventSalesSummary): string[] {
  const sold = event.tiers.reduce((sum, tier) => sum + tier.tickets, 0);
  const lines = [
    sold > 0 ? `${plural(sold, 'ticket')} sold, ${totals(event.tiers)}` : 'No tickets sold',
    ...event.tiers.map(
      (tier) =>
        `  ${oneLine(tier.tier)}: ${plural(tier.tickets, 'ticket')}, ${formatMoney(tier.amount, tier.currency)}`,
    ),
  ];
  if (event.refunds.orders > 0)
    lines.push(
      `${plural(event.refunds.orders, 'order')} cancelled (${plural(event.refunds.tickets, 'ticket')}), ` +
        `${totals(event.refunds.amounts)} refunded`,
    );
  if (event.checkIns > 0) lines.push(`${plural(event.checkIns, 'ticket')} checked in`);
  return lines;
}

export function salesSummaryEmail(
  firstName: string,
  due: SalesSummaryDueV1,
  events: EventSalesSummary[],
  webAppUrl: string,
): Email {
  const day = dayFormat.format(new Date(`${due.day}T00:00:00Z`));
  const subject = `Your sales on ${day}`;
  const intro = `Here is what your events did on ${day} (${due.timeZone}).`;
  const dashboard = (event: EventSalesSummary) => `${webAppUrl}/organizer/events/${event.eventId}`;
  const optOut = `To stop these emails, turn off the daily sales summary in your profile: ${webAppUrl}/profile`;
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>${h(greeting(firstName))}</p>`,
        `<p>${h(intro)}</p>`,
        ...events.map((event) =>
          [
            `<h2 style="font-size:18px"><a href="${h(dashboard(event))}">${h(oneLine(event.name))}</a></h2>`,
            `<p>${eventLines(event)
              .map((line) => h(line.trim()))
              .join('<br>')}</p>`,
          ].join('\n'),
        ),
        `<p style="font-size:12px;color:#6e6e73">${h(optOut)}</p>`,
      ].join('\n'),
    ),
    text: text([
      greeting(firstName),
      '',
      intro,
      ...events.flatMap((event) => [
        '',
        oneLine(event.name),
        ...eventLines(event),
        `Dashboard: ${dashboard(event)}`,
      ]),
      '',
      optOut,
      '',
      `-- ${BRAND}`,
    ]),
  };
}
