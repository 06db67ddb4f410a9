// Sends an email: SMTP (nodemailer) when SMTP_HOST is set, as locally against maildev; otherwise Amazon SES through
// its v2 API from MAIL_FROM. Both load on first send, so neither path pays for the other's client.
import { createHash } from 'node:crypto';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Transporter } from 'nodemailer';
import { region } from '../../layers/common/aws/region';
import { intEnv, optionalEnv, requireEnv } from '../../layers/common/config';
import { ENV } from '../../layers/common/env-names';
import { isTransient, retryPolicy } from '../../layers/common/resilience';

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The stable identity of this email (its dedupe key); SMTP derives the Message-ID from it. */
  key: string;
  attachments?: Attachment[];
}

/** A file sent with the email; one with a `cid` is shown inline where the HTML says src="cid:<cid>". */
export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
  cid?: string;
}

export interface Mailer {
  /** Resolves when the mail server (or SES) has accepted the email; rejects when it did not. */
  send(email: OutgoingEmail): Promise<{ messageId?: string }>;
}

/**
 * Inline retries of transient failures (a retry policy from layers/common/resilience.ts), which stop at `signal`:
 * no retry, nor a backoff waiting for one, outlives the invocation's deadline.
 */
export interface SendPolicy {
  execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** How a consumer sends email: it gets a Sender, never the Mailer itself, so every send passes its deadline check. */
export interface Sender {
  /**
   * Sends through the policy's inline retries, and only before `signal` (the invocation's deadline,
   * ConsumedMessage.signal) has aborted: an attempt past it sends nothing and rejects, as its runtime has given up
   * on it and the message will come back, so a late send would only duplicate the redelivery's.
   */
  send(email: OutgoingEmail, signal: AbortSignal | undefined): Promise<{ messageId?: string }>;
}

/** Transient SMTP/SES failures get two quick retries with jittered backoff; the queue's redelivery does the rest. */
export const mailRetryPolicy = (): SendPolicy =>
  retryPolicy({ maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000, retryOn: isTransientMailError });

/** The one send path of every consumer that emails: the deadline is checked before each attempt, retries included. */
export function sender(mailer: Mailer, policy: SendPolicy): Sender {
  return {
    send: (email, signal) =>
      policy.execute(() => {
        signal?.throwIfAborted();
        return mailer.send(email);
      }, signal),
  };
}

const LOCAL_FROM = 'TicketOrLeaveIt <no-reply@ticketorleaveit.local>';

/** The domain of a From address such as "Name <user@example.com>" or "user@example.com". */
const domainOf = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'ticketorleaveit.local';

/**
 * A Message-ID made from the dedupe key: should an email ever go out twice (a crash after the server accepted it),
 * both copies carry the same id, which mail clients use to collapse duplicates.
 */
export const messageIdFor = (key: string, from: string) =>
  `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domainOf(from)}>`;

/**
 * SMTP through nodemailer. The server's address is read at the first send and again after any failure (the
 * transport is rebuilt), so a mail server that moved or restarted is found again without a new container.
 * Development only: Lambda bundles leave nodemailer out (see infra-cdk service-function.ts), as AWS sends via SES.
 */
export function smtpMailer(): Mailer {
  let transport: { transporter: Transporter; from: string } | undefined;
  const connect = async () => {
    const { default: nodemailer } = await import('nodemailer');
    const port = intEnv(ENV.smtpPort, 25);
    const user = optionalEnv('SMTP_USER');
    return {
      from: optionalEnv(ENV.mailFrom, LOCAL_FROM),
      transporter: nodemailer.createTransport({
        host: requireEnv(ENV.smtpHost),
        port,
        secure: port === 465,
        ...(user ? { auth: { user, pass: requireEnv('SMTP_PASSWORD') } } : {}),
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 15_000,
        // A few connections kept open and reused, rather than a new SMTP session per email.
        pool: true,
        maxConnections: 3,
      }),
    };
  };
  return {
    async send(email) {
      transport ??= await connect();
      const { transporter, from } = transport;
      try {
        const info = await transporter.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: messageIdFor(email.key, from),
          attachments: email.attachments?.map((file) => ({
            filename: file.filename,
            contentType: file.contentType,
            content: file.content,
            ...(file.cid ? { cid: file.cid, contentDisposition: 'inline' as const } : {}),
          })),
        });
        return { messageId: info.messageId };
      } catch (error) {
        transporter.close();
        transport = undefined;
        throw error;
      }
    },
  };
}

/** Amazon SES v2 SendEmail with simple content (HTML and text), from MAIL_FROM. */
export function sesMailer(): Mailer {
  let api:
    | Promise<{ client: SESv2Client; module: typeof import('@aws-sdk/client-sesv2'); from: string }>
    | undefined;
  const load = () =>
    (api ??= import('@aws-sdk/client-sesv2').then((module) => ({
      module,
      client: new module.SESv2Client({ region: region() }),
      from: requireEnv(ENV.mailFrom),
    })));
  return {
    async send(email) {
      const { client, module, from } = await load();
      const result = await client.send(
        new module.SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Attachments: email.attachments?.map((file) => ({
                FileName: file.filename,
                ContentType: file.contentType,
                RawContent: file.content,
                ...(file.cid ? { ContentId: file.cid, ContentDisposition: 'INLINE' as const } : {}),
              })),
            },
          },
        }),
      );
      return { messageId: result.MessageId };
    },
  };
}

/** SMTP when SMTP_HOST is set (decided at the first send), else SES. */
export function mailerFromEnv(): Mailer {
  let chosen: Mailer | undefined;
  return {
    send(email) {
      chosen ??= optionalEnv(ENV.smtpHost) ? smtpMailer() : sesMailer();
      return chosen.send(email);
    },
  };
}

const TRANSIENT_SMTP_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']);
const TRANSIENT_SES_ERRORS = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalFailure',
  'RequestTimeout',
]);

/**
 * Failures worth an immediate retry: the server unreachable or timing out, an SMTP 4xx ("try again later"),
 * SES throttling or a 5xx. A permanent refusal (SMTP 5xx, SES MessageRejected) is not retried inline; the message
 * is still retried by redelivery and ends in the DLQ if it keeps failing.
 */
export function isTransientMailError(error: unknown): boolean {
  if (isTransient(error)) return true;
  const details = error as {
    code?: unknown;
    responseCode?: unknown;
    name?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  } | null;
  if (!details || typeof details !== 'object') return false;
  if (typeof details.responseCode === 'number')
    return details.responseCode >= 400 && details.responseCode < 500;
  if (typeof details.code === 'string' && TRANSIENT_SMTP_CODES.has(details.code)) return true;
  if (details.$retryable) return true;
  if (typeof details.name === 'string' && TRANSIENT_SES_ERRORS.has(details.name)) return true;
  return (details.$metadata?.httpStatusCode ?? 0) >= 500;
}
