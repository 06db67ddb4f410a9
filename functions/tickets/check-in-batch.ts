// POST /v1/events/{id}/check-ins/batch: scans a door made without network, settled earliest first, so the earliest
// scan of each ticket wins (replacing a later one already recorded); every scan's outcome and the conflicts come back.
import { BadRequestError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { MAX_CLOCK_SKEW_MS, resultOf, type ScanInput, type ScanResult, settlingOrder } from './check-ins';
import { requireScanner, scanInputOf } from './door';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.checkInBatch, async ({ params, body, caller }) => {
    await requireScanner(deps, params.id, caller);
    const latest = deps.now().getTime() + MAX_CLOCK_SKEW_MS;
    const results = new Map<string, ScanResult>();
    const valid: ScanInput[] = [];
    for (const scan of body.scans) {
      const scannedAt = new Date(scan.scannedAt);
      if (scannedAt.getTime() > latest)
        throw new BadRequestError(`Scan ${scan.scanId} is dated in the future; check the scanner's clock.`);
      const input = await scanInputOf(deps, params.id, { gate: body.gate, ...scan }, scannedAt, caller);
      if (input === 'invalid-scan') results.set(scan.scanId, { outcome: input });
      else valid.push(input);
    }
    const ordered = settlingOrder(valid);
    const admissions = await deps.admitOffline(ordered);
    for (const [i, scan] of ordered.entries()) results.set(scan.scanId, resultOf(admissions[i], scan));
    const answers = body.scans.map((scan) => ({ scanId: scan.scanId, ...results.get(scan.scanId) }));
    return ok(
      {
        admitted: answers.filter((answer) => answer.outcome === 'admitted').length,
        conflicts: answers.filter((answer) => answer.outcome === 'already-admitted' || answer.displaced)
          .length,
        results: answers,
      },
      { 'cache-control': 'no-store' },
    );
  });
}

export const handler = makeHandler(doorDeps());
