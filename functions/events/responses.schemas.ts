// Response schemas of the events service: what the catalogue and the organizer views answer, as the OpenAPI document
// describes them.
import * as z from 'zod';
import { eventType, holdMinutes, refundUntilHoursBefore } from './requests.schemas';

const locationOut = z.union([
  z.object({ venue: z.string(), address: z.string(), city: z.string(), country: z.string() }),
  z.object({ onlineUrl: z.string() }),
]);

const degradedOut = z
  .object({
    reason: z.string().describe('availability-unavailable or database-unavailable'),
    message: z.string(),
  })
  .optional()
  .describe('Present when part of the answer could not be produced; the x-degraded header says the same.');

const baseEventOut = {
  id: z.uuid(),
  status: z.enum(['draft', 'published', 'cancelled']),
  name: z.string(),
  type: eventType,
  description: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  timezone: z.string(),
  location: locationOut,
  capacity: z.number().int(),
  tags: z.array(z.string()),
};

/** What a buyer agrees to at checkout, set by the organizer. */
const checkoutOut = { holdMinutes, refundUntilHoursBefore };

const tierOut = {
  id: z.uuid(),
  name: z.string(),
  price: z.number().int().describe('In minor units of the currency (cents for EUR): 2500 is 25.00'),
  currency: z.string(),
  quantity: z.number().int(),
};

export const publicEventResponse = z.object({
  ...baseEventOut,
  ...checkoutOut,
  ticketTiers: z.array(z.object({ ...tierOut, remaining: z.number().int().nullable() })),
  remaining: z.number().int().nullable().describe('Tickets still for sale; null when unknown right now'),
  images: z.array(z.object({ url: z.url().describe('Loads the image; valid for one hour') })),
  degraded: degradedOut,
});

export const catalogueItem = z.object({
  ...baseEventOut,
  priceFrom: z.object({
    price: z.number().int().describe('In minor units of the currency (cents for EUR): 2500 is 25.00'),
    currency: z.string(),
  }),
  imageUrl: z.url().nullable().describe('The first image, valid for one hour'),
  rank: z.number().optional().describe('Relevance to q, when sorted by relevance'),
});

export const cataloguePage = z.object({
  items: z.array(catalogueItem),
  nextCursor: z.string().nullable(),
  degraded: degradedOut,
});

export const organizerEventResponse = z.object({
  ...baseEventOut,
  ...checkoutOut,
  ticketTiers: z.array(
    z.object({ ...tierOut, sold: z.number().int().nullable(), remaining: z.number().int().nullable() }),
  ),
  sold: z.number().int().nullable().describe('Tickets sold; null when unknown right now'),
  remaining: z.number().int().nullable(),
  images: z.array(z.object({ key: z.string(), url: z.url() })),
  cancelReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  publishedAt: z.iso.datetime().nullable(),
  cancelledAt: z.iso.datetime().nullable(),
  degraded: degradedOut,
});

export const organizerPage = z.object({
  items: z.array(organizerEventResponse),
  nextCursor: z.string().nullable(),
  degraded: degradedOut,
});

export const imageUploadResponse = z.object({
  uploadUrl: z
    .url()
    .describe('POST a multipart/form-data form here: every entry of `fields`, then the file as `file`.'),
  fields: z.record(z.string(), z.string()),
  key: z.string().describe('Add it to `images` with PATCH /v1/events/{id} once the upload has finished.'),
  expiresAt: z.iso.datetime(),
  maxBytes: z.number().int().positive(),
});

const teamRoleOut = z.enum(['manager', 'check-in']);

export const teamMemberResponse = z.object({
  id: z.uuid(),
  eventId: z.uuid().nullable().describe('Null: a member of all the organizer’s events.'),
  userId: z.uuid(),
  email: z.string(),
  role: teamRoleOut,
  createdAt: z.iso.datetime(),
});

export const invitationResponse = z.object({
  id: z.uuid(),
  eventId: z.uuid().nullable().describe('Null: an invitation to all the organizer’s events.'),
  email: z.string(),
  role: teamRoleOut,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

export const teamResponse = z.object({
  members: z.array(teamMemberResponse),
  invitations: z.array(invitationResponse).describe('Pending invitations, newest first.'),
});

export const auditPage = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      eventId: z.uuid().nullable().describe('Null: a team change covering all the organizer’s events.'),
      actorId: z.uuid(),
      action: z
        .string()
        .describe(
          'created, updated, published, cancelled, team.invited, team.member-joined, team.role-changed, team.member-removed, team.invitation-revoked',
        ),
      changes: z.record(z.string(), z.unknown()).describe('For an update: { field: { from, to } }.'),
      at: z.iso.datetime(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
