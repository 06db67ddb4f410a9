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
import { envelope } from '../../../layers/common/messages';

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
      return { enabled: row.enabled, lastStep: row.lastStep, recoveryCodesLeft: left };
    },
    async secret(id) {
      return accounts.get(id)?.secret;
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
    async replaceRecoveryCodes(id, hashes) {
      if (!accounts.get(id)?.enabled) return false;
      for (const [key, code] of recovery) if (code.account === id) recovery.delete(key);
      for (const hash of hashes) recovery.set(hash.toString('hex'), { account: id, used: false });
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
  const notices: string[] = [];
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
    notice: (of, kind, correlationId) => {
      notices.push(kind);
      return envelope('auth', 'AccountEmailRequested', 1, { kind, userId: of.id }, correlationId);
    },
    now: () => AT,
  });
  const from = { guard, ip: '198.51.100.7' };
  const turnOn = async () => {
    const { secret } = await service.enrol(account.id);
    const { recoveryCodes } = await service.confirm(
      { userId: account.id },
      { password: 'right password', code: codeAt(secret, 0) },
      from,
      'corr',
    );
    return { secret, recoveryCodes };
  };
  return { service, from, turnOn, notices };
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

  it('turns on only with the right password, whatever the code', async () => {
    const { service, from } = setup();
    const { secret } = await service.enrol(account.id);
    const proof = { password: 'wrong', code: codeAt(secret, 0) };
    await expect(service.confirm({ userId: account.id }, proof, from, 'c')).rejects.toMatchObject({
      status: 403,
    });
    expect(await service.isEnabled(account.id)).toBe(false);
  });

  it('turns off only with the right password and a current code, and tells the owner each change', async () => {
    const { service, from, turnOn, notices } = setup();
    const { secret } = await turnOn();
    const right = { password: 'right password', code: codeAt(secret, 1) };
    await expect(
      service.disable(account.id, { password: 'right password' }, from, 'c'),
    ).rejects.toMatchObject({
      status: 403,
      slug: 'two-factor-code-required',
    });
    await expect(
      service.disable(account.id, { ...right, password: 'wrong' }, from, 'c'),
    ).rejects.toMatchObject({
      status: 403,
    });
    await expect(
      service.disable(account.id, { ...right, code: codeAt(secret, -1) }, from, 'c'),
    ).rejects.toMatchObject({ status: 403 });
    expect(await service.isEnabled(account.id)).toBe(true);
    await service.disable(account.id, right, from, 'c');
    expect(await service.isEnabled(account.id)).toBe(false);
    expect(notices).toEqual(['two-factor-enabled', 'two-factor-disabled']);
  });

  it('replaces the recovery codes with the password and a code: the old ones stop working', async () => {
    const { service, from, turnOn, notices } = setup();
    const { secret, recoveryCodes } = await turnOn();
    const proof = { password: 'right password', code: codeAt(secret, 1) };
    const { recoveryCodes: fresh } = await service.regenerateRecoveryCodes(account.id, proof, from, 'c');
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[0]);
    const signIn = async (code: string) =>
      service.complete(await service.challenge(account.id, 'web', 'api'), 'web', code, from);
    expect(await signIn(recoveryCodes[0] ?? '')).toBeUndefined();
    expect(await signIn(fresh[0] ?? '')).toBeDefined();
    expect(notices).toEqual(['two-factor-enabled', 'recovery-codes-regenerated']);
  });
});

describe('MfaRequiredError', () => {
  it("is the token endpoint's error JSON with error=mfa_required and the mfa_token", () => {
    const body = new MfaRequiredError('the-token').toBody();
    expect(body).toMatchObject({ error: 'mfa_required', mfa_token: 'the-token' });
    expect(body.error_description).toContain('urn:ticketorleaveit:params:oauth:grant-type:mfa-otp');
  });
});
