// TOTP secrets sealed at rest: AES-256-GCM bound to the account, a key id that lets keys rotate, and the secrets
// stored before encryption still read (and reported stale, to be sealed again).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretBox } from '../../../functions/auth/totp-secrets';

const KEY = randomBytes(32).toString('base64');
const OLD_KEY = randomBytes(32).toString('base64');
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('secretBox', () => {
  it('seals a secret so that only its own account opens it, differently each time', () => {
    const box = secretBox(KEY);
    const sealed = box.seal('account-1', SECRET);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(sealed).not.toContain(SECRET);
    expect(box.seal('account-1', SECRET)).not.toBe(sealed);
    expect(box.open('account-1', sealed)).toEqual({ secret: SECRET, stale: false });
    expect(() => box.open('account-2', sealed)).toThrow();
  });

  it('refuses a sealed secret that was tampered with, or sealed with a key it does not have', () => {
    const box = secretBox(KEY);
    const parts = box.seal('account-1', SECRET).split('.');
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    expect(() => box.open('account-1', parts.join('.'))).toThrow();
    expect(() => secretBox(OLD_KEY).open('account-1', box.seal('account-1', SECRET))).toThrow();
  });

  it('opens secrets of an older key listed after the current one, and says they are stale', () => {
    const sealedWithOld = secretBox(OLD_KEY).seal('account-1', SECRET);
    const rotated = secretBox(`${KEY},${OLD_KEY}`);
    expect(rotated.open('account-1', sealedWithOld)).toEqual({ secret: SECRET, stale: true });
    expect(rotated.open('account-1', rotated.seal('account-1', SECRET)).stale).toBe(false);
  });

  it('reads a secret stored before encryption (plain base32) as stale', () => {
    expect(secretBox(KEY).open('account-1', SECRET)).toEqual({ secret: SECRET, stale: true });
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => secretBox('short')).toThrow(/too short/);
    expect(() => secretBox('')).toThrow();
  });
});
