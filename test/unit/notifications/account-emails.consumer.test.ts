// The account-emails consumer on its own: it sends through the one send path, so an invocation past its deadline
// sends nothing and its record comes back.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type AccountEmailRequestedV1, AuthMessageTypes } from '../../../events/contracts/auth';
import { makeHandler } from '../../../functions/notifications/account-emails.consumer';
import { sender } from '../../../functions/notifications/mailer';
import { attachInvocationSignal } from '../../../layers/common/invocation';
import { envelope } from '../../../layers/common/messages';
import { sqsEvent } from '../../support/sqs';
import { fakeMailer } from './fakes';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:notifications-account-emails';
const { type, version } = AuthMessageTypes.AccountEmailRequested;

const resetRequested = (): AccountEmailRequestedV1 => ({
  kind: 'password-reset',
  userId: randomUUID(),
  email: 'ada@example.com',
  firstName: 'Ada',
  link: 'https://tickets.example/reset#token',
});
const body = (data: AccountEmailRequestedV1) => JSON.stringify(envelope('auth', type, version, data, 'corr'));

/** A context as Lambda gives one; `signal` stands for the invocation's deadline (the local runtime attaches one). */
function contextWith(signal?: AbortSignal): Context {
  const context = {
    functionName: 'notifications-accountEmails',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 20_000,
  } as Context;
  if (signal) attachInvocationSignal(context, signal);
  return context;
}

describe('account-emails consumer', () => {
  it('sends the requested email', async () => {
    const mailer = fakeMailer();
    const handler = makeHandler(() => ({ sender: sender(mailer, { execute: (fn) => fn() }) }));
    const response = await handler(sqsEvent(QUEUE_ARN, body(resetRequested())), contextWith());
    expect(response.batchItemFailures).toEqual([]);
    expect(mailer.sent.map((sent) => sent.to)).toEqual(['ada@example.com']);
  });

  it('sends nothing once its invocation has timed out, and fails the record so it is redelivered', async () => {
    const mailer = fakeMailer();
    const handler = makeHandler(() => ({ sender: sender(mailer, { execute: (fn) => fn() }) }));
    // With a message it ignores beside it, so the batch is not failed as a whole (Powertools throws then).
    const ignored = JSON.stringify(envelope('auth', 'UserRegistered', 1, {}, 'corr'));
    const response = await handler(
      sqsEvent(QUEUE_ARN, body(resetRequested()), ignored),
      contextWith(AbortSignal.abort(new Error('Task timed out'))),
    );
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['sqs-0']);
    expect(mailer.attempts()).toBe(0);
  });
});
