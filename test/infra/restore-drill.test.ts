// The restore drill of docs/restore-drill.md against a real local PostgreSQL: a base backup plus the WAL archive,
// restored to a moment before a mistake, has every order placed up to that moment and none of the mistake.
import { expect, it } from 'vitest';
import { restoreDrill } from '../../scripts/restore-drill';

it('restores a base backup and the archived WAL to a point in time, with the order count of that moment', {
  timeout: 240_000,
}, async () => {
  const { restored, expected } = await restoreDrill();
  // 100 orders were in the base backup; the other 57 exist only in the archived WAL, which the restore replayed.
  expect(expected).toBe(157);
  expect(restored).toBe(expected);
});
