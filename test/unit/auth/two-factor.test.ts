// Two-step sign-in's rules, on a store in memory and a fixed clock: a code belongs to one 30-second step (one step of
// drift either way), works once, recovery codes work once, and a challenge is spent only by a right code of its client.
import { TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import type { Account } from '../../../functions/auth/oauth';
import { signInGuard } from '../../../functions/auth/sign-in-guard';
import {
  type Challenge,
  codeStep,
  MfaRequiredError,
  type TwoFactorStore,
  twoFactor,
} from '../../../functions/auth/two-factor';
import { OAuthError } from '../../../layers/common/errors';

const AT = new Date('2026-12-02T10:00:10Z');
const step = Math.floor(AT.getTime() / 30_000);
const codeAt = (secret: string, stepsAhead: number) =>
  new TOTP({ secret }).generate({ timestamp: AT.getTime() + stepsAhead * 30_000 });

function memoryStore() {
  const accounts = new Map<string, { secret?: string; enabled: boolean; lastStep?: number }>();
  const recovery = new Map<string, { account: string; used: boolean }>();
  const challenges = new Map<string, Challenge & { used: boolean }>();
  const store: TwoFactorStore = {
    async state(id) {
      const row = accounts.get(id) ?? { enabled: false };
      const left = [...recovery.values()].filter((code) => code.account === id && !code.used).length;
      return { ...row, recoveryCodesLeft: left };
    },
    async startEnrolment(id, secret) {
      if (accounts.get(id)?.enabled) return false;
      accounts.set(id, { secret, enabled: false });
      return true;
    },
    async enable(id, secret, spent, hashes) {
      const row = accounts.get(id);
      if (!row || row.enabled || row.secret !== secret) return false;
      accounts.set(id, { secret, enabled: true, lastStep: spent });
      for (const hash of hashes) recovery.set(hash.toString('hex'), { account: id, used: false });
      return true;
    },
    async spendStep(id, next) {
      const row = accounts.get(id);
      if (!row?.enabled || (row.lastStep !== undefined && row.lastStep >= next)) return false;
      row.lastStep = next;
      return true;
    },
    async spendRecoveryCode(id, hash) {
      const code = recovery.get(hash.toString('hex'));
      if (!code || code.account !== id || code.used) return false;
      code.used = true;
      return true;
    },
    async disable(id) {
      accounts.delete(id);
    },
    async insertChallenge(hash, challenge) {
      challenges.set(hash.toString('hex'), { ...challenge, used: false });
    },
    async findChallenge(hash) {
      const found = challenges.get(hash.toString('hex'));
      return found && !found.used ? found : undefined;
    },
    async spendChallenge(hash) {
      const found = challenges.get(hash.toString('hex'));
      if (!found || found.used) return false;
      found.used = true;
      return true;
    },
  };
  return store;
}

const account: Account = {
  id: 'acct-1',
  email: 'ada@example.com',
  passwordHash: 'hash of right password',
  firstName: 'Ada',
  lastName: 'Lovelace',
};

function setup() {
  const failures = new Map<string, number>();
  const guard = signInGuard({
    counter: {
      count: async (key) => ({ failures: failures.get(key) ?? 0, resetsInSeconds: 60 }),
      record: async (key) => {
        failures.set(key, (failures.get(key) ?? 0) + 1);
        return failures.get(key) ?? 0;
      },
      forget: async () => {},
      clear: async (key) => {
        failures.delete(key);
      },
    },
    perAccountAndIp: { limit: 5, windowSeconds: 900 },
    perAccount: { limit: 20, windowSeconds: 3600 },
    baseDelayMs: 0,
    maxDelayMs: 0,
    sleep: async () => {},
  });
  const service = twoFactor({
    store: memoryStore(),
    findAccount: async (id) => (id === account.id ? account : undefined),
    verifyPassword: async (password, hash) => hash === `hash of ${password}`,
    now: () => AT,
  });
  const from = { guard, ip: '198.51.100.7' };
  const turnOn = async () => {
    const { secret } = await service.enrol(account.id);
    const { recoveryCodes } = await service.confirm({ userId: account.id }, codeAt(secret, 0), from);
    return { secret, recoveryCodes };
  };
  return { service, from, turnOn };
}

describe('codeStep', () => {
  it('places a code in its step, one step of drift either way, and no further', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    expect(codeStep(secret, codeAt(secret, 0), AT)).toBe(step);
    expect(codeStep(secret, codeAt(secret, -1), AT)).toBe(step - 1);
    expect(codeStep(secret, codeAt(secret, 1), AT)).toBe(step + 1);
    expect(codeStep(secret, codeAt(secret, 2), AT)).toBeUndefined();
    expect(codeStep(secret, 'abcdef', AT)).toBeUndefined();
  });
});

describe('two-step sign-in', () => {
  it('answers ten different recovery codes once it is confirmed, and refuses a second enrolment', async () => {
    const { service, turnOn } = setup();
    const { recoveryCodes } = await turnOn();
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    await expect(service.enrol(account.id)).rejects.toMatchObject({ status: 409 });
  });

  it('takes each code once: the step confirmed with is spent, a later one signs in once', async () => {
    const { service, from, turnOn } = setup();
    const { secret } = await turnOn();
    const token = await service.challenge(account.id, 'web', 'api');
    expect(await service.complete(token, 'web', codeAt(secret, 0), from)).toBeUndefined();
    expect(await service.complete(token, 'web', codeAt(secret, 1), from)).toMatchObject({
      accountId: account.id,
      clientId: 'web',
      scope: 'api',
    });
    const next = await service.challenge(account.id, 'web', 'api');
    expect(await service.complete(next, 'web', codeAt(secret, 1), from)).toBeUndefined();
  });

  it('takes a recovery code once, typed in any case and without dashes', async () => {
    const { service, from, turnOn } = setup();
    const [code = ''] = (await turnOn()).recoveryCodes;
    const typed = code.toLowerCase().replaceAll('-', '');
    expect(
      await service.complete(await service.challenge(account.id, 'web', 'api'), 'web', typed, from),
    ).toBeDefined();
    expect(
      await service.complete(await service.challenge(account.id, 'web', 'api'), 'web', code, from),
    ).toBeUndefined();
    expect((await service.status(account.id)).recoveryCodesLeft).toBe(9);
  });

  it("refuses a challenge of another client, and a spent one, as OAuth's invalid_grant", async () => {
    const { service, from, turnOn } = setup();
    const { secret } = await turnOn();
    const token = await service.challenge(account.id, 'web', 'api');
    await expect(service.complete(token, 'other', codeAt(secret, 1), from)).rejects.toBeInstanceOf(
      OAuthError,
    );
    await service.complete(token, 'web', codeAt(secret, 1), from);
    await expect(service.complete(token, 'web', codeAt(secret, 1), from)).rejects.toBeInstanceOf(OAuthError);
  });

  it('turns off with the right password only', async () => {
    const { service, from, turnOn } = setup();
    await turnOn();
    await expect(service.disable(account.id, { password: 'wrong' }, from)).rejects.toMatchObject({
      status: 403,
    });
    await service.disable(account.id, { password: 'right password' }, from);
    expect(await service.isEnabled(account.id)).toBe(false);
  });
});

describe('MfaRequiredError', () => {
  it("is the token endpoint's error JSON with error=mfa_required and the mfa_token", () => {
    const body = new MfaRequiredError('the-token').toBody();
    expect(body).toMatchObject({ error: 'mfa_required', mfa_token: 'the-token' });
    expect(body.error_description).toContain('urn:ticketorleaveit:params:oauth:grant-type:mfa-otp');
  });
});
