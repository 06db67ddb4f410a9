// Secrets never reach a log line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../layers/common/logger';

describe('redact', () => {
  it('hides passwords, tokens and authorization headers at any depth', () => {
    const out = redact({
      body: { email: 'a@b.c', password: 'hunter2', nested: [{ refresh_token: 'r1' }] },
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'k' },
      clientSecret: 's',
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|r1|Bearer abc|"k"|"s"/);
    expect(out).toMatchObject({ body: { email: 'a@b.c', password: '[redacted]' } });
  });

  it('never leaks a value stored under a secret-looking key, whatever the value', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6 }),
        fc.constantFrom('password', 'accessToken', 'newPassword', 'authorization'),
        (secret, key) => {
          const line = JSON.stringify(redact({ outer: { [key]: secret } }));
          return !line.includes(JSON.stringify(secret));
        },
      ),
    );
  });
});
