// The real dependencies of the users functions, wired in one place and created once per container.
import { randomUUID } from 'node:crypto';
import { s3Client } from '../../layers/common/aws/s3';
import { once, requireEnv } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { getLogger } from '../../layers/common/logger';
import { s3PictureStorage } from './pictures';
import type { ProfilesDeps } from './profiles';
import { pgProfileStore } from './profiles.store';

export const realDeps = once(
  (): ProfilesDeps => ({
    store: pgProfileStore(() => getPool('users')),
    pictures: s3PictureStorage({ client: s3Client, bucket: once(() => requireEnv('MEDIA_BUCKET')) }),
    newId: randomUUID,
    now: () => new Date(),
    warn: (message, attributes) => getLogger('users').warn(message, attributes),
  }),
);
