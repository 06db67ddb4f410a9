// The real dependencies of the users functions, wired in one place and created once per container.
import { randomUUID } from 'node:crypto';
import { once } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { getLogger } from '../../layers/common/logger';
import { s3MediaStorage } from '../../layers/common/media-storage';
import type { ProfilesDeps } from './profiles';
import { pgProfileStore } from './profiles.store';

export const realDeps = once(
  (): ProfilesDeps => ({
    store: pgProfileStore(() => getPool('users')),
    pictures: s3MediaStorage(),
    newId: randomUUID,
    now: () => new Date(),
    warn: (message, attributes) => getLogger('users').warn(message, attributes),
  }),
);
