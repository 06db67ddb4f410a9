// Hourly: forgets purchase idempotency keys after 48 hours (the promise to clients is at least 24).
import { getPool } from '../../layers/common/db';
import { getLogger } from '../../layers/common/logger';

export const handler = async () => {
  const result = await (await getPool('tickets')).query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '48 hours'",
  );
  getLogger('tickets').info('idempotency keys expired', { deleted: result.rowCount });
  return { deleted: result.rowCount };
};
