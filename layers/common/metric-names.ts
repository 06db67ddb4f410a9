// The names of the platform's own CloudWatch metrics, apart from the Powertools code so that the CDK app (alarms,
// dashboard) can read them without loading the runtime.
export const METRICS_NAMESPACE = 'TicketOrLeaveIt';

/** The figures the dashboard shows, each a count with the dimension `service` (the service that counts it). */
export const COUNTED_METRICS = {
  /** Seats sold by confirmed purchases (tickets). */
  TicketsSold: 'tickets',
  /** Purchases answered 409: sold out, not on sale, or the idempotency key in use (tickets). */
  OrdersRefused: 'tickets',
  /** Succeeded payments whose webhook never arrived, handled by the reconciliation as the webhook would (tickets). */
  PaymentsReconciled: 'tickets',
  /**
   * What the reconciliation could not repair and a person must look at: a succeeded payment naming no order of ours
   * or one it could not settle, and a confirmed paid order without a succeeded payment (tickets). Alarmed.
   */
  PaymentsUnreconciled: 'tickets',
  /** Emails handed to SES / SMTP (notifications). */
  EmailsSent: 'notifications',
  /** Reminders put on the reminders queue by the scan (notifications). */
  RemindersQueued: 'notifications',
  /** Log lines indexed into OpenSearch by the shipper (ops). */
  LogLinesShipped: 'ops',
  /** Log lines the shipper could not index and sent to its dead-letter queue (ops). */
  LogLinesDeadLettered: 'ops',
} as const;
export type CountedMetric = keyof typeof COUNTED_METRICS;
