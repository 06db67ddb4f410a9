// Consumes users-export-parts: each service's part of an export; the last one to arrive completes the export.
import { PrivacyMessageTypes } from '../../events/contracts/privacy';
import { sqsConsumer } from '../../layers/common/consumer';
import { contractData } from '../../layers/common/message-contract';
import { receivePart } from './data-exports';
import { exportDeps } from './privacy.deps';

export const handler = sqsConsumer('users', async ({ envelope, log }) => {
  const report = contractData(envelope, PrivacyMessageTypes.DataExportPartReady);
  if (!report) return;
  const outcome = await receivePart(exportDeps(), report);
  log.info(`export part received: ${outcome}`, { export_id: report.exportId, part: report.part });
});
