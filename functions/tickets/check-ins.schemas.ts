// Request and response schemas of the door: check-ins (one scan, an offline batch), their stats, the QR keys.
import * as z from 'zod';

const SCAN_ID_RULE = '8 to 100 characters of A-Z a-z 0-9 . _ : - (a UUID is ideal)';
const scanId = z
  .string({ error: SCAN_ID_RULE })
  .regex(/^[A-Za-z0-9._:-]{8,100}$/, SCAN_ID_RULE)
  .describe('Chosen by the scanner, one per scan: a retry with the same id is answered as the first try was');
const gate = z.string().trim().min(1).max(60).describe('Where the scan was made, e.g. "North door"');
const scanned = {
  scanId,
  payload: z.string().min(1).max(1000).optional().describe("What the ticket's QR code carries"),
  code: z.string().trim().min(1).max(40).optional().describe('The ticket code, typed at the door'),
  gate: gate.optional(),
};
const oneOf = <T extends { payload?: string; code?: string }>(scan: T) =>
  (scan.payload === undefined) !== (scan.code === undefined);
const ONE_OF = {
  message: 'Give either payload (a scanned QR code) or code (typed), not both',
  path: ['payload'],
};

export const checkInRequest = z.object(scanned).refine(oneOf, ONE_OF);
export type CheckInRequest = z.infer<typeof checkInRequest>;

export const MAX_BATCH = 500;
export const checkInBatchRequest = z.object({
  gate: gate.optional().describe('The gate of every scan that names none'),
  scans: z
    .array(
      z
        .object({ ...scanned, scannedAt: z.iso.datetime({ offset: true }).describe("The scanner's clock") })
        .refine(oneOf, ONE_OF),
    )
    .min(1)
    .max(MAX_BATCH),
});
export type CheckInBatchRequest = z.infer<typeof checkInBatchRequest>;

const admission = z.object({ scanId: z.string(), gate: z.string().nullable(), scannedAt: z.string() });
const tier = z.object({ id: z.uuid(), name: z.string() });
const holder = z.object({ firstName: z.string() });

export const admitted = z.object({
  outcome: z.literal('admitted'),
  ticketId: z.uuid(),
  tier,
  holder,
  admission: admission.describe('This scan'),
});

export const refusedScan = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  outcome: z.enum(['already-admitted', 'cancelled', 'not-paid', 'other-event', 'unknown', 'invalid-scan']),
  ticketId: z.uuid().optional(),
  tier: tier.optional(),
  holder: holder.optional(),
  admission: admission
    .optional()
    .describe('For already-admitted: when and where the ticket was first scanned'),
});

export const checkInBatchResult = z.object({
  admitted: z.number().int().describe('Scans of this batch that admitted their ticket'),
  conflicts: z.number().int().describe('Scans of a ticket that another (earlier) scan admitted'),
  results: z.array(
    z.object({
      scanId: z.string(),
      outcome: refusedScan.shape.outcome.or(z.literal('admitted')),
      ticketId: z.uuid().optional(),
      tier: tier.optional(),
      holder: holder.optional(),
      admission: admission
        .optional()
        .describe('admitted: this scan; already-admitted: the earlier scan that admitted the ticket'),
      displaced: admission
        .optional()
        .describe(
          'A later scan of the same ticket, recorded before this batch arrived, that this one replaced',
        ),
    }),
  ),
});

export const checkInStats = z.object({
  eventId: z.uuid(),
  admitted: z.number().int(),
  tickets: z.number().int().describe('Valid paid tickets of the event'),
  byTier: z.array(
    z.object({ tierId: z.uuid(), name: z.string(), admitted: z.number().int(), tickets: z.number().int() }),
  ),
  byGate: z.array(z.object({ gate: z.string().nullable(), admitted: z.number().int() })),
  timeline: z
    .array(z.object({ start: z.string(), admitted: z.number().int() }))
    .describe('Admissions per 5 minutes of scanning, from the first to the last, empty ones included'),
});

export const jwks = z.object({
  keys: z.array(
    z.object({
      kty: z.string(),
      crv: z.string(),
      x: z.string(),
      kid: z.string(),
      alg: z.string(),
      use: z.literal('sig'),
    }),
  ),
});

export const ticketParams = z.object({ id: z.uuid() });

export const ticketQr = z.object({
  ticketId: z.uuid(),
  payload: z
    .string()
    .describe('A compact JWS (EdDSA) of {"t": ticketId, "e": eventId}; see GET /v1/tickets/qr-keys'),
});
