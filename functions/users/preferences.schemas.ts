// The notification preferences route's body and answer.
import * as z from 'zod';
import { timeZoneName } from '../../events/contracts/users';

export const notificationPreferences = z.strictObject({
  dailySalesSummary: z
    .boolean()
    .describe("A daily email summarizing yesterday's ticket sales, refunds and check-ins of my events."),
  timeZone: timeZoneName
    .nullable()
    .describe('The IANA time zone "yesterday" is counted in; null counts in UTC.'),
});
export type NotificationPreferences = z.infer<typeof notificationPreferences>;
