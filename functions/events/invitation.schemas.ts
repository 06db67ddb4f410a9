// What an invitee sees of an invitation before answering it.
import * as z from 'zod';
import { invitationResponse } from './responses.schemas';

export const invitationPreviewResponse = invitationResponse.extend({
  eventName: z.string().nullable().describe('Null: an invitation to all the organizer’s events.'),
  status: z
    .enum(['pending', 'used', 'revoked', 'expired', 'declined'])
    .describe('pending: it can still be accepted or declined.'),
});
