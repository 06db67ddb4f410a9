// The real dependencies of the data-subject functions of the users service, created once per container.
import { randomUUID } from 'node:crypto';
import { once } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { s3PrivateFiles } from '../../layers/common/private-files';
import type { DataExportDeps } from './data-exports';
import { pgDataExportStore } from './data-exports.store';
import { isErased } from './erasure.store';
import { pgProfileStore } from './profiles.store';

export const exportDeps = once((): DataExportDeps => {
  const profiles = pgProfileStore(() => getPool('users'));
  return {
    exports: pgDataExportStore(() => getPool('users')),
    files: s3PrivateFiles(),
    findProfile: (userId) => profiles.find(userId),
    isErased: async (userId) => isErased(await getPool('users'), userId),
    newId: randomUUID,
    now: () => new Date(),
  };
});
