// Consumes auth-events: each AccountDeleted removes that user's profile, profile pictures (every object under their
// prefix, attached or not) and data exports. Safe to run again: every step finds nothing left the second time.
import { exportPrefix, PrivacyMessageTypes } from '../../events/contracts/privacy';
import { sqsConsumer } from '../../layers/common/consumer';
import { getPool } from '../../layers/common/db';
import { contractData } from '../../layers/common/message-contract';
import { s3PrivateFiles } from '../../layers/common/private-files';
import { eraseUser } from './erasure.store';
import { pictureKeyPrefix } from './profiles';

const files = s3PrivateFiles();

export const handler = sqsConsumer('users', async ({ envelope, log }) => {
  const deleted = contractData(envelope, PrivacyMessageTypes.AccountDeleted);
  if (!deleted) return;
  const { userId } = deleted;
  // Files first: should their removal fail, the redelivered message finds the profile still there and tries again.
  const removed =
    (await files.removePrefix(pictureKeyPrefix(userId))) + (await files.removePrefix(exportPrefix(userId)));
  const { profiles } = await eraseUser(await getPool('users'), userId);
  log.info('deleted account forgotten', { user_id: userId, profiles, files: removed });
});
