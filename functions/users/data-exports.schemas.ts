// Schemas of the data export routes (GDPR article 15: a copy of one's data).
import * as z from 'zod';

export const exportIdParams = z.object({ id: z.uuid() });

export const dataExportResponse = z
  .object({
    id: z.uuid(),
    status: z
      .enum(['pending', 'ready', 'expired'])
      .describe(
        'pending: services are still writing their parts; ready: download it; expired: ask for a new one',
      ),
    requestedAt: z.iso.datetime(),
    readyAt: z.iso.datetime().nullable(),
    /** When the file stops being offered. */
    expiresAt: z.iso.datetime().nullable(),
    downloadUrl: z
      .url()
      .nullable()
      .describe(
        'While ready: a link to the JSON file (profile, orders, tickets, notifications), valid 5 minutes',
      ),
  })
  .meta({
    examples: [
      {
        id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        status: 'pending',
        requestedAt: '2026-12-02T10:00:00.000Z',
        readyAt: null,
        expiresAt: null,
        downloadUrl: null,
      },
    ],
  });
export type DataExportResponse = z.infer<typeof dataExportResponse>;
