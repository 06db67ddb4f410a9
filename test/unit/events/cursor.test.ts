// Pagination cursors: they round-trip the sort key, and anything else a client sends is a 400 on `cursor`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCatalogueCursor,
  decodeOrganizerCursor,
  encodeCatalogueCursor,
  encodeCursor,
  encodeOrganizerCursor,
} from '../../../functions/events/cursor';
import { ValidationError } from '../../../layers/common/errors';

const ID = '3f0c1d9e-6b1a-4c8e-9f57-2a4b6c8d0e1f';

describe('catalogue cursors', () => {
  it('round-trip the date key and the relevance key', () => {
    const byDate = { sort: 'date', startsAt: '2030-05-01T18:00:00.000Z', id: ID } as const;
    expect(decodeCatalogueCursor(encodeCatalogueCursor(byDate), 'date')).toEqual(byDate);
    const byRank = {
      sort: 'relevance',
      rank: 0.0607927,
      startsAt: '2030-05-01T18:00:00.000Z',
      id: ID,
    } as const;
    expect(decodeCatalogueCursor(encodeCatalogueCursor(byRank), 'relevance')).toEqual(byRank);
  });

  it('are refused by a list in the other order', () => {
    const byDate = encodeCatalogueCursor({ sort: 'date', startsAt: '2030-05-01T18:00:00.000Z', id: ID });
    expect(() => decodeCatalogueCursor(byDate, 'relevance')).toThrow(ValidationError);
  });

  it('refuse tampered or invented cursors with a field error, never anything else', () => {
    const invented = [
      'not-a-cursor',
      '',
      encodeCursor({ k: 'date', s: 'yesterday', i: ID }),
      encodeCursor({ k: 'date', s: '2030-05-01T18:00:00.000Z', i: "'; DROP TABLE events; --" }),
      encodeCursor({ k: 'relevance', s: '2030-05-01T18:00:00.000Z', i: ID, r: 'high' }),
      encodeCursor([1, 2, 3]),
    ];
    for (const cursor of invented) {
      try {
        decodeCatalogueCursor(cursor, cursor.length % 2 ? 'date' : 'relevance');
        expect.unreachable(cursor);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toEqual([
          expect.objectContaining({ in: 'query', field: 'cursor' }),
        ]);
      }
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (cursor) => {
        try {
          decodeCatalogueCursor(cursor, 'date');
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});

describe('organizer cursors', () => {
  it('round-trip the creation key and refuse others', () => {
    const cursor = { createdAt: '2030-01-01T10:00:00.000Z', id: ID };
    expect(decodeOrganizerCursor(encodeOrganizerCursor(cursor))).toEqual(cursor);
    expect(() => decodeOrganizerCursor(encodeCursor({ c: 'soon', i: ID }))).toThrow(ValidationError);
  });
});
