// The local runtime's log shipping while OpenSearch refuses everything: lines wait in a bounded buffer, the oldest go
// first beyond the bound, the runtime log says so once, and the lines kept are shipped when OpenSearch takes them.
// The store stands in for OpenSearch here so the bound can be reached in milliseconds.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { BulkItemOutcome, LogDocument, LogStore } from '../../../functions/ops/log-shipper';
import { getLogger } from '../../../layers/common/logger';
import { startLogShipping } from '../../../local/log-shipping';

it('keeps the newest lines up to its bound while OpenSearch is down, says so once, and ships them afterwards', async () => {
  let up = false;
  const stored: LogDocument[] = [];
  const store: LogStore = {
    ensureTemplate: async () => {
      if (!up) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'ConnectionError' });
    },
    bulk: async (documents): Promise<BulkItemOutcome[]> => {
      stored.push(...documents);
      return documents.map(() => ({ ok: true }));
    },
  };
  const runtimeLog: string[] = [];
  const shipping = await startLogShipping({
    url: 'http://opensearch.invalid:9200',
    log: (message) => runtimeLog.push(message),
    store,
    maxBuffered: 10,
    flushEveryMs: 20,
  });
  try {
    const log = getLogger('tickets');
    const correlationId = `buffer-${randomUUID()}`;
    log.appendKeys({ correlation_id: correlationId });
    for (let line = 0; line < 30; line++) {
      log.info(`line ${line}`);
      await shipping.flush();
    }
    log.resetKeys();
    const down = shipping.stats();
    expect(down.outage).toBe(true);
    expect(down.buffered).toBeLessThanOrEqual(10);
    expect(down.dropped).toBe(30 - down.buffered);
    expect(runtimeLog.filter((message) => message.includes('does not take log lines'))).toHaveLength(1);
    expect(runtimeLog.filter((message) => message.includes('dropping the oldest'))).toHaveLength(1);

    up = true;
    await shipping.flush();
    const ours = stored.filter((document) => document.source.correlation_id === correlationId);
    // The newest lines survived, in order.
    expect(ours.map((document) => document.source.message)).toEqual(
      Array.from({ length: down.buffered }, (_, index) => `line ${30 - down.buffered + index}`),
    );
    expect(shipping.stats()).toMatchObject({ outage: false, buffered: 0, shipped: ours.length });
    expect(runtimeLog.at(-1)).toMatch(
      /OpenSearch answers again .*\(\d+ oldest lines were dropped meanwhile\)/,
    );
  } finally {
    await shipping.stop();
  }
});
