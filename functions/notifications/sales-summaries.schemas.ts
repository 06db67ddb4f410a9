// The message the daily sales summary schedule queues for the summary consumer; owned by this service alone.
import * as z from 'zod';

export const SALES_SUMMARIES_QUEUE = 'notifications-sales-summaries';

/** SalesSummaryDue v1: one organizer's summary of one day of theirs, [from, to) being that day in their zone. */
export const salesSummaryDueV1 = z.object({
  organizerId: z.uuid(),
  day: z.iso.date(),
  timeZone: z.string().min(1),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});
export type SalesSummaryDueV1 = z.infer<typeof salesSummaryDueV1>;

export const SalesSummaryMessageTypes = {
  SalesSummaryDue: { type: 'SalesSummaryDue', version: 1, schema: salesSummaryDueV1 },
} as const;
