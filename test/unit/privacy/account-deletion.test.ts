// The rules of deleting one's account: the password first, then the organizer's events on sale, then one message.
import { describe, expect, it } from 'vitest';
import { PrivacyMessageTypes } from '../../../events/contracts/privacy';
import {
  type AccountDeletionDeps,
  deleteOwnAccount,
  type UpcomingEvent,
} from '../../../functions/auth/account-deletion';
import { ForbiddenError } from '../../../layers/common/errors';
import { type Envelope, envelope } from '../../../layers/common/messages';

const userId = '6f1c2b9e-4a53-4c1d-9d0e-2f7a8b3c4d5e';

function deps(options: { account?: boolean; upcoming?: UpcomingEvent[] } = {}) {
  const deleted: { accountId: string; message: Envelope; notice: Envelope }[] = [];
  const asked: string[] = [];
  const value: AccountDeletionDeps = {
    findAccount: async (id) =>
      options.account === false
        ? undefined
        : { id, email: 'ada@example.com', passwordHash: 'hash-of:right', firstName: 'Ada', lastName: 'L' },
    reauthenticate: async (account, proof) => {
      if (account.passwordHash !== `hash-of:${proof.password}`)
        throw new ForbiddenError('The password is wrong.');
    },
    notice: (account, correlationId) =>
      envelope(
        'auth',
        'AccountEmailRequested',
        1,
        { kind: 'account-deleted', userId: account.id },
        correlationId,
      ),
    upcomingOnSale: async (id) => {
      asked.push(id);
      return options.upcoming ?? [];
    },
    store: {
      deleteAccount: async (accountId, message, notice) => {
        deleted.push({ accountId, message, notice });
        return true;
      },
    },
    now: () => new Date('2026-12-02T10:00:00Z'),
  };
  return { value, deleted, asked };
}

describe('deleting my account', () => {
  it('deletes it with one AccountDeleted message carrying the id, the address it had and the time', async () => {
    const { value, deleted } = deps();
    expect(await deleteOwnAccount(value, userId, { password: 'right' }, 'corr-1')).toBe('deleted');
    expect(deleted).toHaveLength(1);
    const { message, notice } = deleted[0] as { message: Envelope; notice: Envelope };
    // The owner's notice commits with the deletion.
    expect(notice).toMatchObject({ data: { kind: 'account-deleted', userId } });
    expect(message).toMatchObject({
      type: 'AccountDeleted',
      version: 1,
      source: 'auth',
      correlationId: 'corr-1',
    });
    expect(PrivacyMessageTypes.AccountDeleted.schema.parse(message.data)).toEqual({
      userId,
      email: 'ada@example.com',
      deletedAt: '2026-12-02T10:00:00.000Z',
    });
  });

  it('refuses a wrong password before asking anyone about events', async () => {
    const { value, deleted, asked } = deps();
    await expect(deleteOwnAccount(value, userId, { password: 'wrong' }, 'c')).rejects.toMatchObject({
      status: 403,
    });
    expect(asked).toEqual([]);
    expect(deleted).toEqual([]);
  });

  it('refuses an organizer with events on sale with 409, naming them, and deletes nothing', async () => {
    const upcoming = [{ id: 'e1', name: 'Jazz night', startsAt: '2026-12-24T20:00:00.000Z' }];
    const { value, deleted } = deps({ upcoming });
    await expect(deleteOwnAccount(value, userId, { password: 'right' }, 'c')).rejects.toMatchObject({
      status: 409,
      slug: 'organizer-has-upcoming-events',
      extensions: { events: upcoming },
    });
    expect(deleted).toEqual([]);
  });

  it('answers an account deleted already as done, without a second message', async () => {
    const { value, deleted } = deps({ account: false });
    expect(await deleteOwnAccount(value, userId, { password: 'anything' }, 'c')).toBe('already-deleted');
    expect(deleted).toEqual([]);
  });
});
