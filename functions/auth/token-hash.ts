// How opaque tokens (refresh tokens, codes, challenges, reset links, recovery codes) are kept: only their SHA-256.
// A module of its own so that two-factor.ts and recovery.ts need nothing at run time from oauth.ts, which imports them:
// a cycle between them left MFA_OTP_GRANT undefined in oauth.ts's list of grants when two-factor.ts loaded first.
import { createHash } from 'node:crypto';

export const hashToken = (token: string) => createHash('sha256').update(token).digest();
