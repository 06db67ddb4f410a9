// A service's answer to DataExportRequested: its part of the user's data, written as JSON to the media bucket and
// reported to the users service, which assembles the export. Written before it is reported, so the report never
// names a missing file; a failure throws, and the redelivered request writes and reports the same part again.
import {
  type DataExportRequestedV1,
  EXPORT_PARTS_QUEUE,
  type ExportPart,
  exportPartKey,
  PrivacyMessageTypes,
} from '../../events/contracts/privacy';
import { envelope } from './messages';
import type { PrivateFiles } from './private-files';
import { awsPublisher, type Publisher } from './publisher';

export async function deliverExportPart(
  deps: { files: PrivateFiles; publisher?: Publisher },
  source: string,
  request: DataExportRequestedV1,
  part: ExportPart,
  data: unknown,
  correlationId: string,
): Promise<void> {
  const key = exportPartKey(request.userId, request.exportId, part);
  await deps.files.putJson(key, data);
  const contract = PrivacyMessageTypes.DataExportPartReady;
  const report = envelope(
    source,
    contract.type,
    contract.version,
    { exportId: request.exportId, userId: request.userId, part, key },
    correlationId,
  );
  const { failedIds } = await (deps.publisher ?? awsPublisher).publish({ queue: EXPORT_PARTS_QUEUE }, [
    report,
  ]);
  if (failedIds.length > 0)
    throw new Error(`the ${part} part of export ${request.exportId} was not reported`);
}
