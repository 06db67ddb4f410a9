// Every tickets function that outdates availability snapshots binds Redis: in AWS only a function that binds it gets
// REDIS_URL (and the network path and AUTH token), while the local runtime gives every function Redis, so a missing
// bind would pass every other test and leave the public pages up to a second behind that function's changes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tickets } from '../../../functions/tickets/manifest';
import type { Binds } from '../../../layers/common/manifest';

const specs: { handler: string; binds?: Binds }[] = [
  ...Object.values(tickets.routes),
  ...Object.values(tickets.consumers ?? {}),
  ...Object.values(tickets.schedules ?? {}),
  ...Object.values(tickets.functions ?? {}),
];

const outdatesSnapshots = (handler: string) =>
  readFileSync(join(__dirname, '../../../functions/tickets', handler), 'utf8').includes('snapshots.changed(');

describe('the tickets functions that change seats', () => {
  it('bind Redis, where they outdate the availability snapshots', () => {
    const changing = specs.filter((spec) => outdatesSnapshots(spec.handler));
    expect(changing.map((spec) => spec.handler).sort()).toEqual([
      'cancel-order.ts',
      'event-cancelled.consumer.ts',
      'expire-holds.schedule.ts',
      'organizer-cancel-order.ts',
      'payment-webhook.ts',
      'purchase.ts',
      'reconcile-payments.schedule.ts',
      'sync-inventory.internal.ts',
    ]);
    for (const spec of changing) expect(spec.binds?.redis, spec.handler).toBe(true);
  });
});
