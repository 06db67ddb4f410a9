// Messages of the data-subject requests (GDPR articles 15 and 17): an account deleted by its owner (auth, on
// auth-events) and a copy of one's data asked for (users, on users-events), which each service holding personal data
// answers with its part of the export (sent to the users service's export-parts queue).
import * as z from 'zod';

/** The users service's topic (re-exported as USERS_EVENTS_TOPIC by events/contracts/users.ts). */
export const USER_EVENTS_TOPIC = 'users-events';

/** Where services deliver their part of an export; the users service assembles the parts. */
export const EXPORT_PARTS_QUEUE = 'users-export-parts';

/** The parts other services contribute; the users service writes the profile itself. */
export const EXPORT_PARTS = ['tickets', 'notifications'] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];

/** Where a part of an export is written in the media bucket; readable only by the functions that handle exports. */
export const exportPartKey = (userId: string, exportId: string, part: string) =>
  `exports/${userId}/${exportId}/${part}.json`;
/** How long a finished export is offered; the bucket expires the exports/ prefix a day after (infra-cdk). */
export const EXPORT_KEEP_DAYS = 7;
/** Everything of a user's exports lives under this prefix (removed with the account). */
export const exportPrefix = (userId: string) => `exports/${userId}/`;

/**
 * The account is gone: its owner asked to delete it (the organizer had no upcoming event on sale). Every service
 * deletes or anonymises what it holds about the user, once, and keeps what accounting needs without the person.
 */
export const accountDeletedV1 = z.object({
  userId: z.uuid(),
  deletedAt: z.iso.datetime(),
  /**
   * The address the account had: what services hold by address alone (team invitations and their emails) goes too.
   * Optional so that a message published before it was carried is still read.
   */
  email: z.email().optional(),
});
export type AccountDeletedV1 = z.infer<typeof accountDeletedV1>;

/** A user asked for a copy of their data; each service in EXPORT_PARTS writes its part and reports it. */
export const dataExportRequestedV1 = z.object({
  exportId: z.uuid(),
  userId: z.uuid(),
  requestedAt: z.iso.datetime(),
});
export type DataExportRequestedV1 = z.infer<typeof dataExportRequestedV1>;

/** One service's part of an export is written (as JSON, at `key` in the media bucket). */
export const dataExportPartReadyV1 = z.object({
  exportId: z.uuid(),
  userId: z.uuid(),
  part: z.enum(EXPORT_PARTS),
  key: z.string().min(1),
});
export type DataExportPartReadyV1 = z.infer<typeof dataExportPartReadyV1>;

export const PrivacyMessageTypes = {
  AccountDeleted: { type: 'AccountDeleted', version: 1, schema: accountDeletedV1 },
  DataExportRequested: { type: 'DataExportRequested', version: 1, schema: dataExportRequestedV1 },
  DataExportPartReady: { type: 'DataExportPartReady', version: 1, schema: dataExportPartReadyV1 },
} as const;

/** events.organizerCommitments: what keeps an organizer from deleting their account (asked by the auth service). */
export const organizerCommitmentsRequest = z.object({ userId: z.uuid() });
export const organizerCommitmentsResponse = z.object({
  /** Published events of theirs that have not ended: buyers still rely on them. At most 20, soonest first. */
  upcomingOnSale: z.array(z.object({ id: z.uuid(), name: z.string(), startsAt: z.iso.datetime() })),
});
export type OrganizerCommitments = z.infer<typeof organizerCommitmentsResponse>;

/**
 * What replaces a deleted account's address on the records kept for accounting: the `.invalid` top-level domain never
 * resolves (RFC 6761), so nothing is ever delivered to it, and the notifications service sends nothing there.
 */
export const ERASED_EMAIL = 'deleted-account@erased.invalid';
export const ERASED_NAME = 'Deleted account';
/** The user id a deleted account's kept records carry instead of theirs: no account ever has it. */
export const ERASED_USER_ID = '00000000-0000-0000-0000-000000000000';
export const isErasedAddress = (email: string) => email.toLowerCase().endsWith('.invalid');
