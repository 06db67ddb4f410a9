// Opaque pagination cursors: the sort key of the last item of a page (keyset pagination), so the next page starts
// right after it whatever was inserted meanwhile, and ties on the date are broken by the id.
import { cursorInstant, invalidCursor } from '../../layers/common/pagination';

export type CatalogueCursor =
  | { sort: 'date'; startsAt: string; id: string }
  | { sort: 'relevance'; rank: number; startsAt: string; id: string };

export interface OrganizerCursor {
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isInstant = (value: unknown): value is string => cursorInstant.safeParse(value).success;

export const encodeCursor = (value: object) =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

const badCursor = invalidCursor;

function decode(cursor: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw badCursor();
}

/** The cursor of a catalogue page; it must come from a list with the same sort. */
export function decodeCatalogueCursor(cursor: string, sort: 'date' | 'relevance'): CatalogueCursor {
  const value = decode(cursor);
  const { s: startsAt, i: id, r: rank, k: kind } = value;
  if (kind !== sort || !isInstant(startsAt) || typeof id !== 'string' || !UUID.test(id)) throw badCursor();
  if (sort === 'date') return { sort, startsAt, id };
  if (typeof rank !== 'number' || !Number.isFinite(rank)) throw badCursor();
  return { sort, rank, startsAt, id };
}

export const encodeCatalogueCursor = (cursor: CatalogueCursor) =>
  encodeCursor(
    cursor.sort === 'date'
      ? { k: 'date', s: cursor.startsAt, i: cursor.id }
      : { k: 'relevance', r: cursor.rank, s: cursor.startsAt, i: cursor.id },
  );

export function decodeOrganizerCursor(cursor: string): OrganizerCursor {
  const { c: createdAt, i: id } = decode(cursor);
  if (!isInstant(createdAt) || typeof id !== 'string' || !UUID.test(id)) throw badCursor();
  return { createdAt, id };
}

export const encodeOrganizerCursor = (cursor: OrganizerCursor) =>
  encodeCursor({ c: cursor.createdAt, i: cursor.id });
