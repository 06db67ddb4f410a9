// Two-step sign-in (TOTP, RFC 6238, through the otpauth library): enrolment confirmed by a first code, single-use
// recovery codes (stored hashed, shown once), a code accepted once per time step, and the challenge a password sign-in
// answers with while the code is still due. Every change re-authenticates the owner (a stolen access token alone
// cannot enrol another app, turn it off or replace the recovery codes) and emails them a notice through the outbox.
// Guesses go through the sign-in guard. No SQL, no AWS here.
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { AccountNoticeKind } from '../../events/contracts/auth';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  OAuthError,
  ValidationError,
} from '../../layers/common/errors';
import type { Envelope } from '../../layers/common/messages';
import type { Account } from './oauth';
import type { SignInGuard } from './sign-in-guard';
import { hashToken } from './token-hash';

export const ISSUER_NAME = 'TicketOrLeaveIt';
const PERIOD = 30;
/** A code of the step before or after the server's clock is accepted too (clock drift, typing time). */
const WINDOW = 1;
const RECOVERY_CODES = 10;
const CHALLENGE_TTL_SECONDS = 300;
/**
 * Wrong codes an account may get in 15 minutes, from all addresses together, before every code is refused until the
 * window ends. Only someone who has the password gets this far, and a six-digit code (three valid in the window) would
 * otherwise fall to a few addresses guessing for a day; the owner, refused too, can wait or use a recovery code later.
 */
export const SECOND_STEP_CAP = { limit: 10, windowSeconds: 900 };
/** The extension grant (RFC 6749 §4.5) that finishes a password sign-in with a code. */
export const MFA_OTP_GRANT = 'urn:ticketorleaveit:params:oauth:grant-type:mfa-otp';

export interface TwoFactorState {
  enabled: boolean;
  /** The last time step a code was accepted for; codes of that step and before are spent. */
  lastStep?: number;
  recoveryCodesLeft: number;
}

export interface Challenge {
  accountId: string;
  clientId: string;
  scope: string;
}

export interface TwoFactorStore {
  state(accountId: string): Promise<TwoFactorState>;
  /** The secret in force, or being enrolled (decrypted: only functions that check codes or enrol read it). */
  secret(accountId: string): Promise<string | undefined>;
  /** Stores a secret to enrol; false when two-step sign-in is on already. */
  startEnrolment(accountId: string, secret: string): Promise<boolean>;
  /**
   * Turns it on with the pending secret (if it is still the one confirmed), spends the step, stores the recovery
   * codes and ends every other sign-in of the account, which signed in without it; false when nothing was pending.
   */
  enable(
    accountId: string,
    secret: string,
    step: number,
    codeHashes: Buffer[],
    notice: Envelope,
    keepFamily?: string,
  ): Promise<boolean>;
  /** Replaces the recovery codes of an account with two-step sign-in on (and queues the notice); false when off. */
  replaceRecoveryCodes(accountId: string, codeHashes: Buffer[], notice: Envelope): Promise<boolean>;
  /** Records the step as spent if it is later than the last one spent; false when it was spent already. */
  spendStep(accountId: string, step: number): Promise<boolean>;
  /** Spends an unused recovery code of the account; false when there is none such. */
  spendRecoveryCode(accountId: string, codeHash: Buffer): Promise<boolean>;
  /** Turns it off and queues the notice, in one transaction. */
  disable(accountId: string, notice: Envelope): Promise<void>;
  insertChallenge(tokenHash: Buffer, challenge: Challenge, expiresAt: Date): Promise<void>;
  /** An unspent, unexpired challenge. */
  findChallenge(tokenHash: Buffer): Promise<Challenge | undefined>;
  /** Spends the challenge; false when it was spent (or expired) meanwhile. */
  spendChallenge(tokenHash: Buffer): Promise<boolean>;
}

export interface TwoFactorDeps {
  store: TwoFactorStore;
  findAccount: (id: string) => Promise<Account | undefined>;
  verifyPassword: (password: string, hash: string) => Promise<boolean>;
  /** The email telling the owner of a change to their account (AccountEmailRequested, for the outbox). */
  notice: (account: Account, kind: AccountNoticeKind, correlationId: string) => Envelope;
  now?: () => Date;
}

/** What re-authenticates the owner for a change: always the password, and a code once two-step sign-in is on. */
export interface Proof {
  password: string;
  /** A current code of the authenticator app, or an unused recovery code. */
  code?: string;
}

/** Where a guess comes from and the guard that throttles guesses (passed per call: only limited handlers load Redis). */
export interface Guarded {
  guard: SignInGuard;
  ip: string;
}

const totp = (secret: string, label = '') =>
  new TOTP({ issuer: ISSUER_NAME, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret });

const SIX_DIGITS = /^\d{6}$/;
/** 16 base32 characters (80 bits) in four groups, e.g. ABCD-EFGH-JKLM-NPQR. */
const RECOVERY_CODE = /^[A-Z2-7]{4}(-?[A-Z2-7]{4}){3}$/;
const normalizeRecoveryCode = (code: string) => code.toUpperCase().replaceAll('-', '');

function newRecoveryCode(): string {
  const base32 = new Secret({ size: 10 }).base32;
  return base32.match(/.{4}/g)?.join('-') ?? base32;
}

/** The time step a six-digit code belongs to, or undefined when it fits none within the window. */
export function codeStep(secret: string, code: string, at: Date): number | undefined {
  if (!SIX_DIGITS.test(code)) return undefined;
  const delta = totp(secret).validate({ token: code, timestamp: at.getTime(), window: WINDOW });
  return delta === null ? undefined : Math.floor(at.getTime() / 1000 / PERIOD) + delta;
}

/** Thrown by the password grant when the account still owes its second step (RFC 6749 error JSON plus mfa_token). */
export class MfaRequiredError extends OAuthError {
  constructor(readonly mfaToken: string) {
    super(
      'invalid_grant',
      `Two-step sign-in is on for this account: send grant_type=${MFA_OTP_GRANT} with this mfa_token and otp (the six-digit code of the authenticator app, or a recovery code) within ${CHALLENGE_TTL_SECONDS / 60} minutes.`,
    );
  }

  override toBody(): Record<string, unknown> {
    return { error: 'mfa_required', error_description: this.message, mfa_token: this.mfaToken };
  }
}

export function twoFactor(deps: TwoFactorDeps) {
  const now = deps.now ?? (() => new Date());

  /** Checks a code (six digits, or a recovery code) against the account's secret in force, spending what it uses. */
  const check = async (accountId: string, code: string): Promise<boolean> => {
    if (!(await deps.store.state(accountId)).enabled) return false;
    const secret = await deps.store.secret(accountId);
    if (!secret) return false;
    const trimmed = code.trim().replaceAll(' ', '');
    if (RECOVERY_CODE.test(trimmed.toUpperCase()))
      return deps.store.spendRecoveryCode(accountId, hashToken(normalizeRecoveryCode(trimmed)));
    const step = codeStep(secret, trimmed, now());
    return step !== undefined && deps.store.spendStep(accountId, step);
  };

  /** One guess at the second step from ip, throttled like password guesses (per account and address, then account). */
  const guarded = async (accountId: string, from: Guarded, code: string) =>
    (await from.guard.attempt(
      `2fa:${accountId}`,
      from.ip,
      async () => ((await check(accountId, code)) ? true : undefined),
      { accountCap: SECOND_STEP_CAP },
    )) === true;

  const ownAccount = async (accountId: string) => {
    const account = await deps.findAccount(accountId);
    if (!account) throw new ForbiddenError('The account no longer exists.');
    return account;
  };

  /** The password, guessed under the same throttle as at the token endpoint; a wrong one is a 403. */
  const checkPassword = async (account: Account, password: string, from: Guarded) => {
    const right = await from.guard.attempt(account.email, from.ip, async () =>
      (await deps.verifyPassword(password, account.passwordHash)) ? true : undefined,
    );
    if (!right) throw new ForbiddenError('The password is wrong.');
  };

  /**
   * The owner proven by the password and, when two-step sign-in is on, a code (spent). Answers whether it is on.
   * The password comes first: a code is only spent once the password is right.
   */
  const reauthenticate = async (account: Account, proof: Proof, from: Guarded): Promise<boolean> => {
    await checkPassword(account, proof.password, from);
    if (!(await deps.store.state(account.id)).enabled) return false;
    if (!proof.code)
      throw new AppError(
        403,
        'two-factor-code-required',
        'A code is required',
        'Two-step sign-in is on: send a code of your authenticator app (or a recovery code) with the password.',
      );
    if (!(await guarded(account.id, from, proof.code)))
      throw new ForbiddenError('The code is wrong or was used.');
    return true;
  };

  const newRecoveryCodes = () => {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    return { codes, hashes: codes.map((c) => hashToken(normalizeRecoveryCode(c))) };
  };

  return {
    reauthenticate,

    async status(accountId: string) {
      const state = await deps.store.state(accountId);
      return { enabled: state.enabled, recoveryCodesLeft: state.enabled ? state.recoveryCodesLeft : 0 };
    },

    async isEnabled(accountId: string) {
      return (await deps.store.state(accountId)).enabled;
    },

    /** A new secret to scan; replaces an enrolment never confirmed. */
    async enrol(accountId: string) {
      const account = await ownAccount(accountId);
      const secret = new Secret({ size: 20 }).base32;
      if (!(await deps.store.startEnrolment(account.id, secret)))
        throw new ConflictError('Two-step sign-in is on already; turn it off first to enrol again.');
      return { secret, otpauthUri: totp(secret, account.email).toString() };
    },

    /**
     * Turns two-step sign-in on with the password and the first code of the app; answers the recovery codes, which
     * are shown once, and emails the owner.
     */
    async confirm(
      caller: { userId: string; sessionId?: string },
      proof: { password: string; code: string },
      from: Guarded,
      correlationId: string,
    ) {
      const account = await ownAccount(caller.userId);
      await checkPassword(account, proof.password, from);
      const code = proof.code;
      const state = await deps.store.state(caller.userId);
      if (state.enabled) throw new ConflictError('Two-step sign-in is on already.');
      const secret = await deps.store.secret(caller.userId);
      if (!secret) throw new ConflictError('Start the enrolment first (POST /v1/auth/two-factor).');
      const step = await from.guard.attempt(
        `2fa:${caller.userId}`,
        from.ip,
        async () => codeStep(secret, code.trim(), now()),
        { accountCap: SECOND_STEP_CAP },
      );
      if (step === undefined) {
        throw new ValidationError(
          [{ in: 'body', field: 'code', message: 'The code is wrong or expired' }],
          'The code is wrong or expired: enter the six digits your app shows now.',
        );
      }
      const { codes, hashes } = newRecoveryCodes();
      const notice = deps.notice(account, 'two-factor-enabled', correlationId);
      if (!(await deps.store.enable(caller.userId, secret, step, hashes, notice, caller.sessionId)))
        throw new ConflictError('The enrolment changed meanwhile; start it again.');
      return { recoveryCodes: codes };
    },

    /** Turns it off, proven by the password and a current code (or recovery code); emails the owner. */
    async disable(accountId: string, proof: Proof, from: Guarded, correlationId: string) {
      const account = await ownAccount(accountId);
      if (!(await reauthenticate(account, proof, from)))
        throw new ConflictError('Two-step sign-in is off already.');
      await deps.store.disable(account.id, deps.notice(account, 'two-factor-disabled', correlationId));
    },

    /**
     * New recovery codes in place of the old ones (which stop working), proven by the password and a current code;
     * answers them, shown once, and emails the owner.
     */
    async regenerateRecoveryCodes(accountId: string, proof: Proof, from: Guarded, correlationId: string) {
      const account = await ownAccount(accountId);
      if (!(await reauthenticate(account, proof, from)))
        throw new ConflictError('Two-step sign-in is off: there are no recovery codes to replace.');
      const { codes, hashes } = newRecoveryCodes();
      const notice = deps.notice(account, 'recovery-codes-regenerated', correlationId);
      if (!(await deps.store.replaceRecoveryCodes(account.id, hashes, notice)))
        throw new ConflictError('Two-step sign-in was turned off meanwhile.');
      return { recoveryCodes: codes };
    },

    /** The challenge a sign-in with the right password gets when the account still owes a code. */
    async challenge(accountId: string, clientId: string, scope: string): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now().getTime() + CHALLENGE_TTL_SECONDS * 1000);
      await deps.store.insertChallenge(hashToken(token), { accountId, clientId, scope }, expiresAt);
      return token;
    },

    /**
     * The second step: the challenge's sign-in when the code is right (the challenge is spent then), else undefined.
     * Unknown, spent or expired challenges, or one of another client, are an OAuthError invalid_grant.
     */
    async complete(
      mfaToken: string,
      clientId: string,
      code: string,
      from: Guarded,
    ): Promise<Challenge | undefined> {
      const tokenHash = hashToken(mfaToken);
      const challenge = mfaToken.length <= 100 ? await deps.store.findChallenge(tokenHash) : undefined;
      if (!challenge || challenge.clientId !== clientId)
        throw new OAuthError('invalid_grant', 'The mfa_token is unknown, used or expired: sign in again.');
      if (!(await guarded(challenge.accountId, from, code))) return undefined;
      if (!(await deps.store.spendChallenge(tokenHash)))
        throw new OAuthError('invalid_grant', 'The mfa_token is used or expired: sign in again.');
      return challenge;
    },
  };
}

export type TwoFactor = ReturnType<typeof twoFactor>;
