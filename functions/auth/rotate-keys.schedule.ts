// Daily: adds a new signing key when the current one has reached its maximum age; the old one stays published.
import { getLogger } from '../../layers/common/logger';
import { keys } from './deps';

export const handler = async () => {
  const rotated = await (await keys()()).rotateIfDue();
  getLogger('auth').info(rotated ? 'signing key rotated' : 'signing key still current');
  return { rotated };
};
