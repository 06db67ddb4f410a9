// A copy of one's data (GDPR article 15). Each service holding personal data writes its own part (no service reads
// another's database): the request goes out on users-events, each part comes back to the export-parts queue, and
// once all have arrived they are joined with the profile into one JSON file in the bucket. Only its owner sees an
// export, through a link valid for minutes; the file is offered for EXPORT_KEEP_DAYS.
import {
  EXPORT_KEEP_DAYS,
  EXPORT_PARTS,
  type ExportPart,
  exportPartKey,
  PrivacyMessageTypes,
} from '../../events/contracts/privacy';
import { accountDeleted, NotFoundError } from '../../layers/common/errors';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { PrivateFiles } from '../../layers/common/private-files';
import type { DataExportResponse } from './data-exports.schemas';
import type { Profile } from './profiles';

export const EXPORT_LINK_TTL_SECONDS = 5 * 60;
/** An export still missing a part after this long (a lost message) is given up; the user may ask again. */
export const EXPORT_PENDING_HOURS = 24;

export interface DataExport {
  id: string;
  userId: string;
  /** failed: given up after EXPORT_PENDING_HOURS without every part. */
  status: 'pending' | 'ready' | 'failed';
  parts: string[];
  fileKey: string | null;
  requestedAt: Date;
  readyAt: Date | null;
}

export interface DataExportStore {
  /** The user's pending export, if one is in progress. */
  pendingOf(userId: string): Promise<DataExport | undefined>;
  /**
   * Gives up the user's export pending since before `staleBefore`, then records the request and its message in one
   * transaction; answers the export in progress, which is another one when a concurrent request recorded it first.
   */
  create(request: DataExport, message: Envelope, staleBefore: Date): Promise<DataExport>;
  /** The export, only if it is this user's. */
  find(userId: string, id: string): Promise<DataExport | undefined>;
  /** Notes one arrived part; the export as it stands after that, or undefined when it no longer exists. */
  addPart(id: string, part: ExportPart): Promise<DataExport | undefined>;
  markReady(id: string, fileKey: string, at: Date): Promise<void>;
}

export interface DataExportDeps {
  exports: DataExportStore;
  files: PrivateFiles;
  findProfile(userId: string): Promise<Profile | undefined>;
  /** Whether the account was deleted (its tombstone, kept once AccountDeleted is processed). */
  isErased(userId: string): Promise<boolean>;
  newId: () => string;
  now: () => Date;
}

const staleBefore = (now: Date) => new Date(now.getTime() - EXPORT_PENDING_HOURS * 3_600_000);

const isExpired = (item: DataExport, now: Date) =>
  (item.status === 'pending' && item.requestedAt < staleBefore(now)) ||
  (item.readyAt !== null && now.getTime() > item.readyAt.getTime() + EXPORT_KEEP_DAYS * 86_400_000);

export async function toExportView(deps: DataExportDeps, item: DataExport): Promise<DataExportResponse> {
  const expired = isExpired(item, deps.now());
  const expiresAt = item.readyAt ? new Date(item.readyAt.getTime() + EXPORT_KEEP_DAYS * 86_400_000) : null;
  return {
    id: item.id,
    status: item.status === 'failed' || expired ? 'expired' : item.status,
    requestedAt: item.requestedAt.toISOString(),
    readyAt: item.readyAt?.toISOString() ?? null,
    expiresAt: expiresAt?.toISOString() ?? null,
    downloadUrl:
      item.status === 'ready' && item.fileKey && !expired
        ? await deps.files.downloadUrl(
            item.fileKey,
            `ticketorleaveit-data-${item.requestedAt.toISOString().slice(0, 10)}.json`,
            EXPORT_LINK_TTL_SECONDS,
          )
        : null,
  };
}

/** Starts an export of the caller's data; while one is in progress, that one is the answer. */
export async function requestExport(
  deps: DataExportDeps,
  userId: string,
  correlationId: string,
): Promise<DataExportResponse> {
  // A deleted account's access token, valid for minutes more, must not start a copy of anything.
  if (await deps.isErased(userId)) throw accountDeleted();
  const pending = await deps.exports.pendingOf(userId);
  if (pending && pending.requestedAt >= staleBefore(deps.now())) return toExportView(deps, pending);
  const item: DataExport = {
    id: deps.newId(),
    userId,
    status: 'pending',
    parts: [],
    fileKey: null,
    requestedAt: deps.now(),
    readyAt: null,
  };
  const contract = PrivacyMessageTypes.DataExportRequested;
  const message = envelope(
    'users',
    contract.type,
    contract.version,
    { exportId: item.id, userId, requestedAt: item.requestedAt.toISOString() },
    correlationId,
  );
  return toExportView(deps, await deps.exports.create(item, message, staleBefore(deps.now())));
}

export async function viewExport(deps: DataExportDeps, userId: string, id: string) {
  const item = await deps.exports.find(userId, id);
  if (!item) throw new NotFoundError('You have no export with this id.');
  return toExportView(deps, item);
}

export type PartOutcome = 'waiting' | 'assembled' | 'gone';

/**
 * Notes a part; once every part is in, writes the whole export and removes the parts. Safe to run again: the same
 * parts give the same file, and an export deleted meanwhile (its account was) or given up has its late part removed.
 */
export async function receivePart(
  deps: DataExportDeps,
  report: { exportId: string; userId: string; part: ExportPart },
): Promise<PartOutcome> {
  const item = await deps.exports.addPart(report.exportId, report.part);
  if (!item || item.userId !== report.userId || item.status === 'failed') {
    // The key is derived, not taken from the message: a report can only ever remove a part file.
    await deps.files.removePrefix(exportPartKey(report.userId, report.exportId, report.part));
    return 'gone';
  }
  if (item.status === 'ready') return 'assembled';
  if (!EXPORT_PARTS.every((part) => item.parts.includes(part))) return 'waiting';
  const [ticketsPart, notificationsPart] = (await Promise.all(
    (['tickets', 'notifications'] satisfies ExportPart[]).map((part) =>
      deps.files.getJson(exportPartKey(item.userId, item.id, part)),
    ),
  )) as [{ orders: unknown[]; tickets: unknown[] }, { emails: unknown[] }];
  const profile = await deps.findProfile(item.userId);
  const document = {
    exportedAt: deps.now().toISOString(),
    userId: item.userId,
    profile: profile
      ? {
          email: profile.email,
          firstName: profile.firstName,
          lastName: profile.lastName,
          hasPicture: profile.pictureKey !== null,
        }
      : null,
    orders: ticketsPart.orders,
    tickets: ticketsPart.tickets,
    notifications: notificationsPart.emails,
  };
  const fileKey = exportPartKey(item.userId, item.id, 'export');
  await deps.files.putJson(fileKey, document);
  await deps.exports.markReady(item.id, fileKey, deps.now());
  await Promise.all(
    EXPORT_PARTS.map((part) => deps.files.removePrefix(exportPartKey(item.userId, item.id, part))),
  );
  return 'assembled';
}
