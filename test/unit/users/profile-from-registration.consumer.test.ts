// The registration consumer on its own: which messages make a profile, which are ignored, which are refused.
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/users/profile-from-registration.consumer';
import { envelope } from '../../../layers/common/messages';
import { sqsEvent as recordsOf } from '../../support/sqs';
import { memoryProfileStore } from './fakes';

const USER = '5b0e6a1c-3d2f-4e8a-9b7c-6d5e4f3a2b1c';
const registration = { userId: USER, email: 'Linus@Example.org', firstName: 'Linus', lastName: 'Torvalds' };

const sqsEvent = (...bodies: string[]) =>
  recordsOf('arn:aws:sqs:us-east-1:000000000000:users-auth-events', ...bodies);
// A context as Lambda gives one (the consumer wrapper reads the invocation's remaining time).
const context = {
  functionName: 'users-profileFromRegistration',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 20_000,
} as Context;

describe('profile-from-registration consumer', () => {
  it('creates the profile of a registered user once, however often the message arrives', async () => {
    const store = memoryProfileStore();
    const message = JSON.stringify(envelope('auth', 'UserRegistered', 1, registration, 'c-1'));
    const response = await makeHandler({ store })(sqsEvent(message, message), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(store.profiles.get(USER)).toMatchObject({ email: 'linus@example.org', firstName: 'Linus' });
    expect(store.processed.size).toBe(1);
  });

  it('acknowledges message types it does not handle without touching any profile', async () => {
    const store = memoryProfileStore();
    const other = JSON.stringify(envelope('auth', 'PasswordChanged', 1, { userId: USER }, 'c-2'));
    expect((await makeHandler({ store })(sqsEvent(other), context)).batchItemFailures).toEqual([]);
    expect(store.profiles.size).toBe(0);
  });

  it('fails a registration that breaks the contract or has an unknown version, and only that one', async () => {
    const store = memoryProfileStore();
    const broken = JSON.stringify(
      envelope('auth', 'UserRegistered', 1, { ...registration, email: 'nope' }, 'c-3'),
    );
    const future = JSON.stringify(envelope('auth', 'UserRegistered', 2, registration, 'c-4'));
    const good = JSON.stringify(envelope('auth', 'UserRegistered', 1, registration, 'c-5'));
    const response = await makeHandler({ store })(sqsEvent(broken, future, good), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'sqs-0' }, { itemIdentifier: 'sqs-1' }]);
    expect(store.profiles.has(USER)).toBe(true);
  });
});
