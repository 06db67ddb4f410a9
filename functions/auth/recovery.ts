// Account recovery and proof of address: password reset and email verification through single-use secrets sent by
// email (stored hashed, each for one purpose and a limited time). No SQL and no AWS here.
import { randomBytes } from 'node:crypto';
import { type AccountEmailRequestedV1, AuthMessageTypes } from '../../events/contracts/auth';
import { BadRequestError, ValidationError } from '../../layers/common/errors';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { Account } from './oauth';
import { hashToken } from './token-hash';

export type TokenPurpose = 'password-reset' | 'verify-email';

export interface AccountToken {
  tokenHash: Buffer;
  accountId: string;
  purpose: TokenPurpose;
  expiresAt: Date;
}

export interface RecoveryStore {
  findAccountByEmail(email: string): Promise<Account | undefined>;
  findAccount(id: string): Promise<Account | undefined>;
  /** Writes an email without a token (the sign-up-with-your-address notice) to the outbox. */
  enqueueEmail(message: Envelope): Promise<void>;
  /** Stores the token and the email that carries it, in one transaction. */
  issueToken(token: AccountToken, message: Envelope): Promise<void>;
  /** The account of an unspent, unexpired token of this purpose. */
  accountOfToken(tokenHash: Buffer, purpose: TokenPurpose): Promise<Account | undefined>;
  /**
   * Spends the token (if still unspent and unexpired) and, in the same transaction, sets the new password, spends
   * every other reset token of the account and revokes all of its refresh tokens. False when the token was not valid.
   */
  resetPassword(tokenHash: Buffer, passwordHash: string): Promise<boolean>;
  /** Spends the token and marks the address verified; false when the token was not valid. */
  verifyEmail(tokenHash: Buffer): Promise<boolean>;
}

export interface RecoveryDeps {
  store: RecoveryStore;
  hashPassword: (password: string) => Promise<string>;
  weakPasswordReason?: (password: string, userInputs: string[]) => string | undefined;
  /** The web app's page for a link, e.g. "/reset-password"; the secret goes in the fragment, never to a server log. */
  webLink: (path: string, token: string) => string;
  resetTtlSeconds: number;
  verifyTtlSeconds: number;
  now?: () => Date;
}

const newSecret = () => randomBytes(32).toString('base64url');
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function recovery(deps: RecoveryDeps) {
  const now = deps.now ?? (() => new Date());

  const emailMessage = (data: AccountEmailRequestedV1, correlationId: string) => {
    const { type, version } = AuthMessageTypes.AccountEmailRequested;
    return envelope('auth', type, version, data, correlationId);
  };

  /** A token for the account and the email that carries its link, stored together. */
  const sendToken = async (
    account: Account,
    purpose: TokenPurpose,
    page: string,
    ttlSeconds: number,
    correlationId: string,
  ) => {
    const secret = newSecret();
    const expiresAt = new Date(now().getTime() + ttlSeconds * 1000);
    await deps.store.issueToken(
      { tokenHash: hashToken(secret), accountId: account.id, purpose, expiresAt },
      emailMessage(
        {
          kind: purpose,
          userId: account.id,
          email: account.email,
          firstName: account.firstName,
          link: deps.webLink(page, secret),
          expiresAt: expiresAt.toISOString(),
        },
        correlationId,
      ),
    );
  };

  const tokenHashOf = (secret: string) => {
    if (!SECRET.test(secret)) throw invalidLink();
    return hashToken(secret);
  };
  const invalidLink = () =>
    new BadRequestError(
      'This link is not valid: it was used already, has expired, or was mistyped.',
      'invalid-token',
    );

  return {
    /** Emails a reset link when the address belongs to an account; says nothing either way. */
    async requestPasswordReset(email: string, correlationId: string): Promise<void> {
      const account = await deps.store.findAccountByEmail(email);
      if (!account) return;
      await sendToken(account, 'password-reset', '/reset-password', deps.resetTtlSeconds, correlationId);
    },

    /** Sets a new password with a reset token, once; every sign-in of the account ends. */
    async resetPassword(secret: string, newPassword: string): Promise<void> {
      const tokenHash = tokenHashOf(secret);
      const account = await deps.store.accountOfToken(tokenHash, 'password-reset');
      if (!account) throw invalidLink();
      const reason = deps.weakPasswordReason?.(newPassword, [
        account.email,
        account.firstName,
        account.lastName,
      ]);
      if (reason) throw new ValidationError([{ in: 'body', field: 'newPassword', message: reason }], reason);
      if (!(await deps.store.resetPassword(tokenHash, await deps.hashPassword(newPassword))))
        throw invalidLink();
    },

    /** Emails a verification link to a new account's address. */
    async sendVerification(account: Account, correlationId: string): Promise<void> {
      await sendToken(account, 'verify-email', '/verify-email', deps.verifyTtlSeconds, correlationId);
    },

    /** Tells the owner of a taken address that someone tried to sign up with it (instead of telling the caller). */
    async notifyAlreadyRegistered(email: string, correlationId: string): Promise<void> {
      const account = await deps.store.findAccountByEmail(email);
      if (!account) return;
      const data = { kind: 'already-registered' as const, userId: account.id, email: account.email };
      await deps.store.enqueueEmail(
        emailMessage({ ...data, firstName: account.firstName, link: deps.webLink('/', '') }, correlationId),
      );
    },

    async resendVerification(accountId: string, correlationId: string): Promise<void> {
      const account = await deps.store.findAccount(accountId);
      if (!account || account.emailVerified) return;
      await sendToken(account, 'verify-email', '/verify-email', deps.verifyTtlSeconds, correlationId);
    },

    async verifyEmail(secret: string): Promise<void> {
      if (!(await deps.store.verifyEmail(tokenHashOf(secret)))) throw invalidLink();
    },

    emailMessage,
  };
}

export type Recovery = ReturnType<typeof recovery>;
