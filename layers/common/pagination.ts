// Cursor pagination shared by every list: `{ items, nextCursor }`, `limit` and an opaque `cursor` that encodes
// the sort key of the last item returned (so pages stay stable while rows are added).
import * as z from 'zod';
import { ValidationError } from './errors';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  cursor: z.string().max(500).optional(),
};

/**
 * An instant in a cursor, as toISOString writes it: ISO 8601 in UTC and a year PostgreSQL has (it has no year 0,
 * which the ISO pattern allows), so a tampered cursor is refused here rather than by the database.
 */
export const cursorInstant = z.iso.datetime().refine((value) => !value.startsWith('0000'));

/** The usual sort key of a newest-first list: the creation instant, ties broken by the id. */
export const timeAndId = z.tuple([cursorInstant, z.uuid()]);

export const invalidCursor = () =>
  new ValidationError([
    { in: 'query', field: 'cursor', message: 'Not a cursor this list gave out; start again without one.' },
  ]);

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor into its sort key; a cursor that was not ours is a 400, never a 500. */
export function decodeCursor<T extends readonly unknown[]>(
  cursor: string | undefined,
  shape: z.ZodType<T>,
): T | undefined {
  if (!cursor) return undefined;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalidCursor();
  }
}

/** Given limit + 1 fetched rows, the page and the cursor of its last item. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  keyOf: (row: R) => readonly (string | number)[],
): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
