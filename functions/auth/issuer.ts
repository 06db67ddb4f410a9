// Issuer URL and audience of the access tokens, read once per container.
import { once, requireEnv } from '../../layers/common/config';

export const issuer = once(() => ({ url: requireEnv('JWT_ISSUER'), audience: requireEnv('JWT_AUDIENCE') }));
