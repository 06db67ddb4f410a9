// Daily: adds a new QR signing key when the current one has reached its maximum age; older ones stay published.
import { getLogger } from '../../layers/common/logger';
import { doorDeps } from './door.deps';

export const handler = async () => {
  const rotated = await doorDeps().rotateQrKeys();
  getLogger('tickets').info(rotated ? 'QR signing key rotated' : 'QR signing key still current');
  return { rotated };
};
