// The local key of the TOTP secrets (TOTP_ENCRYPTION_KEY): 32 random bytes in base64, generated once per data folder
// and kept beside the database it protects, so a restart still opens the secrets stored before it. In AWS the key is
// a generated Secrets Manager secret instead (infra-cdk stateful stack).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function localTotpKey(dataDir: string): string {
  const file = join(dataDir, 'totp-encryption.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
