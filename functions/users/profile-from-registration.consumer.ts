// Consumes auth-events: each UserRegistered message creates that user's profile, once however often it arrives.
import { AuthMessageTypes } from '../../events/contracts/auth';
import { PoisonMessageError, sqsConsumer } from '../../layers/common/consumer';
import { getPool } from '../../layers/common/db';
import { type ProfileStore, profileFromRegistration } from './profiles';
import { pgProfileStore } from './profiles.store';

/** The name under which this consumer records the messages it has processed. */
export const CONSUMER = 'users-profile-from-registration';

export function makeHandler(deps: { store: ProfileStore }) {
  return sqsConsumer('users', async ({ envelope, log }) => {
    const registered = AuthMessageTypes.UserRegistered;
    if (envelope.type !== registered.type) {
      log.info('message ignored: not a type this consumer handles');
      return;
    }
    // A version we cannot read goes to the dead-letter queue (and its alarm) rather than being dropped.
    if (envelope.version !== registered.version) {
      throw new PoisonMessageError(`UserRegistered version ${envelope.version} is not supported`);
    }
    const data = registered.schema.safeParse(envelope.data);
    if (!data.success) {
      const where = data.error.issues.map((issue) => issue.path.join('.') || '(data)').join(', ');
      throw new PoisonMessageError(`UserRegistered data breaks the contract at ${where}`);
    }
    const created = await profileFromRegistration(deps.store, CONSUMER, envelope.id, data.data);
    log.info(created ? 'profile recorded from registration' : 'registration already processed', {
      user_id: data.data.userId,
    });
  });
}

// Only the database: the consumer never loads the S3 client.
export const handler = makeHandler({ store: pgProfileStore(() => getPool('users')) });
