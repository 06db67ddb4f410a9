// Password hashes: OWASP's scrypt cost unless PASSWORD_SCRYPT_LN lowers it (the test suite), verified at the cost
// each hash records.
import { afterEach, describe, expect, it, vi } from 'vitest';

const load = async () => {
  vi.resetModules();
  return import('../../../functions/auth/passwords');
};

describe('password hashes', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('use N = 2^17 by default, and verify', async () => {
    vi.stubEnv('PASSWORD_SCRYPT_LN', undefined);
    const { hashPassword, verifyPassword } = await load();
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('Correct horse battery staple', hash)).toBe(false);
  });

  it('take the cost PASSWORD_SCRYPT_LN names, and a hash verifies whatever cost new hashes use', async () => {
    vi.stubEnv('PASSWORD_SCRYPT_LN', '12');
    const low = await load();
    const hash = await low.hashPassword('pw');
    expect(hash).toMatch(/^\$scrypt\$ln=12,/);
    vi.stubEnv('PASSWORD_SCRYPT_LN', '14');
    expect(await (await load()).verifyPassword('pw', hash)).toBe(true);
  });

  it('refuse a cost outside 10..20', async () => {
    vi.stubEnv('PASSWORD_SCRYPT_LN', '4');
    await expect((await load()).hashPassword('pw')).rejects.toThrow(/PASSWORD_SCRYPT_LN/);
  });
});
