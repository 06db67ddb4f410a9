// Consumes the data-subject requests: AccountDeleted forgets the person (sent-email history, holdings, reminders);
// DataExportRequested writes the emails sent to them as the notifications part of their export.
import { PrivacyMessageTypes } from '../../events/contracts/privacy';
import { sqsConsumer } from '../../layers/common/consumer';
import { getPool } from '../../layers/common/db';
import { deliverExportPart } from '../../layers/common/export-part';
import { contractData } from '../../layers/common/message-contract';
import { s3PrivateFiles } from '../../layers/common/private-files';
import { emailsOfUser, forgetUser } from './privacy.store';

/** The name under which this consumer records the messages it has processed. */
export const CONSUMER = 'notifications-privacy';
const files = s3PrivateFiles();

export const handler = sqsConsumer('notifications', async ({ envelope, log }) => {
  const deleted = contractData(envelope, PrivacyMessageTypes.AccountDeleted);
  if (deleted) {
    const result = await forgetUser(
      await getPool('notifications'),
      CONSUMER,
      envelope.id,
      deleted.userId,
      deleted.email,
    );
    log.info(result ? 'deleted account forgotten' : 'account deletion already processed', {
      user_id: deleted.userId,
      ...(result ? result : {}),
    });
    return;
  }
  const request = contractData(envelope, PrivacyMessageTypes.DataExportRequested);
  if (request) {
    const emails = await emailsOfUser(await getPool('notifications'), request.userId);
    await deliverExportPart(
      { files },
      'notifications',
      request,
      'notifications',
      { emails },
      envelope.correlationId,
    );
    log.info('notifications part of an export written', {
      export_id: request.exportId,
      emails: emails.length,
    });
  }
});
