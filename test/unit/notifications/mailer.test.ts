// The mailer's decisions that need no server: which failures are worth an immediate retry, stable Message-IDs, and
// the sender's retries that end at the invocation's deadline.
import { describe, expect, it } from 'vitest';
import {
  isTransientMailError,
  mailRetryPolicy,
  messageIdFor,
  sender,
} from '../../../functions/notifications/mailer';
import { fakeMailer } from './fakes';

const error = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

describe('isTransientMailError', () => {
  it('retries an unreachable or slow SMTP server and its "try again later" replies', () => {
    expect(isTransientMailError(error({ code: 'ESOCKET', errno: -111 }))).toBe(true);
    expect(isTransientMailError(error({ code: 'ECONNECTION' }))).toBe(true);
    expect(isTransientMailError(error({ code: 'ETIMEDOUT' }))).toBe(true);
    expect(isTransientMailError(error({ code: 'EENVELOPE', responseCode: 451 }))).toBe(true);
  });

  it('does not retry a permanent SMTP refusal', () => {
    expect(isTransientMailError(error({ code: 'EENVELOPE', responseCode: 550 }))).toBe(false);
    expect(isTransientMailError(error({ code: 'EAUTH', responseCode: 535 }))).toBe(false);
  });

  it('retries SES throttling and server errors, not a rejected message', () => {
    expect(isTransientMailError(error({ name: 'TooManyRequestsException' }))).toBe(true);
    expect(isTransientMailError(error({ name: 'X', $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isTransientMailError(error({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } }))).toBe(
      false,
    );
  });
});

describe('messageIdFor', () => {
  it('gives the same email the same Message-ID, in the sender’s domain', () => {
    const from = 'TicketOrLeaveIt <no-reply@ticketorleaveit.com>';
    expect(messageIdFor('confirmation:1', from)).toBe(messageIdFor('confirmation:1', from));
    expect(messageIdFor('confirmation:1', from)).not.toBe(messageIdFor('confirmation:2', from));
    expect(messageIdFor('confirmation:1', from)).toMatch(/^<[0-9a-f]{32}@ticketorleaveit\.com>$/);
    expect(messageIdFor('k', 'no-reply@example.org')).toMatch(/@example\.org>$/);
  });
});

describe('sender', () => {
  const email = { to: 'ada@example.com', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', key: 'test:1' };

  it('retries a transient failure inline', async () => {
    const mailer = fakeMailer({ failures: 1 });
    await sender(mailer, mailRetryPolicy()).send(email, new AbortController().signal);
    expect(mailer.attempts()).toBe(2);
    expect(mailer.sent).toHaveLength(1);
  });

  it('makes no further attempt once the invocation has timed out', async () => {
    const deadline = new AbortController();
    const mailer = fakeMailer({
      failures: 3,
      // The mail server fails while the invocation's time runs out.
      error: () => {
        deadline.abort(new Error('Task timed out'));
        return Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' });
      },
    });
    await expect(sender(mailer, mailRetryPolicy()).send(email, deadline.signal)).rejects.toThrow(
      'ECONNREFUSED',
    );
    expect(mailer.attempts()).toBe(1);
    expect(mailer.sent).toHaveLength(0);
  });
});
