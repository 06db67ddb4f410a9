// Password guessing, throttled without letting others lock an owner out. Failures are counted twice: per (account,
// client address), tightly — past its limit that pair is refused before the password is even checked — and per
// account, loosely — past its threshold every attempt on the account waits, longer with each further failure, but a
// right password is still accepted. So a burst from one address stops that address only, and guessing from many
// addresses gets slower and slower, while the owner, from an address with no failures, still signs in.
// Each attempt is counted as a failure before its check and given back when it succeeds (or is refused, or cannot be
// checked): attempts sent at once each see the ones before them, so a parallel burst meets the same limits as a
// sequential one. A guard for a guess an attacker can only make after the password (the second step) may also cap
// the account's failures outright.
import { TooManyRequestsError } from '../../layers/common/errors';

export interface FailureRule {
  /** Failures that fit in the window. */
  limit: number;
  windowSeconds: number;
}

export interface FailureCounter {
  /** Failures recorded under key within its window, and the seconds until that window ends. */
  count(key: string): Promise<{ failures: number; resetsInSeconds: number }>;
  /** Records one failure; the window starts at the first failure of the key and lasts windowSeconds. */
  record(key: string, windowSeconds: number): Promise<number>;
  /** Takes back one recorded failure (an attempt counted before its check that turned out not to be one). */
  forget(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface SignInGuardDeps {
  counter: FailureCounter;
  /** Per (account, address): refused once this many failures are in the window. */
  perAccountAndIp: FailureRule;
  /** Per account: past this many failures in the window, attempts on the account wait. */
  perAccount: FailureRule;
  /** The wait after the first failure past the account's threshold; it doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** How long an attempt waits when the account has this many recent failures. */
export function accountDelayMs(
  failures: number,
  deps: Pick<SignInGuardDeps, 'perAccount' | 'baseDelayMs' | 'maxDelayMs'>,
) {
  const excess = failures - deps.perAccount.limit;
  if (excess <= 0) return 0;
  return Math.min(deps.maxDelayMs, deps.baseDelayMs * 2 ** Math.min(excess - 1, 30));
}

export interface AttemptOptions {
  /** Past this many failures of the account in the window, every attempt on it is refused, from any address. */
  accountCap?: FailureRule;
}

export function signInGuard(deps: SignInGuardDeps) {
  const keys = (account: string, ip: string) => {
    const subject = account.trim().toLowerCase().slice(0, 254);
    return { account: `acct:${subject}`, pair: `pair:${subject}|${ip}` };
  };
  return {
    /**
     * Runs one password check for account from ip. Throws 429 when this address has failed on this account too
     * often; waits first when the account as a whole has; records the outcome.
     */
    async attempt<T>(
      account: string,
      ip: string,
      check: () => Promise<T | undefined>,
      options: AttemptOptions = {},
    ): Promise<T | undefined> {
      const key = keys(account, ip);
      const [pairFailures, accountFailures] = await Promise.all([
        deps.counter.record(key.pair, deps.perAccountAndIp.windowSeconds),
        deps.counter.record(key.account, deps.perAccount.windowSeconds),
      ]);
      const giveBack = (...counted: string[]) => Promise.all(counted.map((k) => deps.counter.forget(k)));
      const refused =
        pairFailures > deps.perAccountAndIp.limit
          ? { key: key.pair, rule: deps.perAccountAndIp, policy: 'signin-failures' }
          : options.accountCap && accountFailures > options.accountCap.limit
            ? { key: key.account, rule: options.accountCap, policy: 'signin-account-failures' }
            : undefined;
      if (refused) {
        // A refused attempt checks nothing: it must not slow the account down for its owner.
        await giveBack(key.account);
        const { limit, windowSeconds } = refused.rule;
        const wait = Math.max(1, (await deps.counter.count(refused.key)).resetsInSeconds);
        // The RateLimit headers (IETF httpapi draft), as the sliding windows send them.
        throw new TooManyRequestsError(wait, {
          'ratelimit-policy': `"${refused.policy}";q=${limit};w=${windowSeconds}`,
          ratelimit: `"${refused.policy}";r=0;t=${wait}`,
        });
      }
      const delay = accountDelayMs(accountFailures - 1, deps);
      if (delay > 0) await deps.sleep(delay);
      let result: T | undefined;
      try {
        result = await check();
      } catch (error) {
        await giveBack(key.pair, key.account);
        throw error;
      }
      if (result !== undefined) await Promise.all([deps.counter.clear(key.pair), giveBack(key.account)]);
      return result;
    },
  };
}

export type SignInGuard = ReturnType<typeof signInGuard>;
