// The password policy: common and easily guessed passwords are refused with a reason; the passwords people are told
// to choose (a few unrelated words) pass.
import { describe, expect, it } from 'vitest';
import { weakPasswordReason } from '../../../functions/auth/password-policy';

const ada = ['ada@example.com', 'Ada', 'Lovelace'];

describe('the password policy', () => {
  it.each([
    ['password123', 'commonly used'],
    ['qwertyuiop', 'most common'],
    ['Password1!', 'small changes'],
    ['lovelace1815', 'your name or email'],
    ['aaaaaaaaaa', 'repeats'],
  ])('refuses %s (%s)', (password, reason) => {
    expect(weakPasswordReason(password, ada)).toContain(reason);
  });

  it.each(['correct horse battery staple', 'long enough password', 'another password', 'orbital mechanics'])(
    'accepts %s',
    (password) => {
      expect(weakPasswordReason(password, ada)).toBeUndefined();
    },
  );
});
