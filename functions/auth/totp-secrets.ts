// TOTP secrets encrypted at rest (AES-256-GCM, node:crypto): a database dump or a read-only SQL injection no longer
// hands over every account's second factor. The account id is the associated data, so a sealed secret copied onto
// another account does not open. Stored as "v1.<key id>.<iv>.<ciphertext>.<tag>" (base64url): the key id names the
// key that sealed it, so keys can rotate: the key material lists the current key first, then older ones still able
// to open (comma-separated); a secret opened with an older key, or stored before encryption (plain base32), is
// reported stale and the store seals it again with the current key.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'ticketorleaveit totp-secret v1';
/** What secrets looked like before encryption: base32 only. */
const PLAIN_BASE32 = /^[A-Z2-7]+=*$/;

export interface SecretBox {
  seal(accountId: string, secret: string): string;
  /** The secret, and whether its stored form should be sealed again with the current key. */
  open(accountId: string, stored: string): { secret: string; stale: boolean };
}

interface Key {
  id: string;
  key: Buffer;
}

/** One key from its material (a base64 32-byte key locally, a generated string in Secrets Manager), via HKDF. */
function deriveKey(material: string): Key {
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), INFO, 32));
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export function secretBox(material: string): SecretBox {
  const parts = material
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.some((part) => part.length < 32))
    throw new Error('A TOTP encryption key is too short: use 32 random bytes (base64) or more');
  const keys = parts.map(deriveKey);
  const current = keys[0];
  if (!current) throw new Error('The TOTP encryption key is empty');
  const byId = new Map(keys.map((key) => [key.id, key]));

  return {
    seal(accountId, secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(accountId));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return [VERSION, current.id, iv, sealed, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },

    open(accountId, stored) {
      if (PLAIN_BASE32.test(stored)) return { secret: stored, stale: true };
      const [version, keyId, iv, sealed, tag] = stored.split('.');
      const key = keyId === undefined ? undefined : byId.get(keyId);
      if (version !== VERSION || !key || !iv || sealed === undefined || !tag)
        throw new Error('A TOTP secret is sealed with an unknown key or format');
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(accountId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const secret = Buffer.concat([
        decipher.update(Buffer.from(sealed, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
      return { secret, stale: key !== current };
    },
  };
}
