// maildev: an SMTP server that keeps every message, with a web inbox and a REST API (GET /email) to read them.
import { mkdirSync } from 'node:fs';
import { MailDev } from 'maildev';

export interface LocalMail {
  smtpPort: number;
  webPort: number;
  webUrl: string;
  stop(): Promise<void>;
}

export async function startMail(options: {
  smtpPort: number;
  webPort: number;
  mailDir?: string;
}): Promise<LocalMail> {
  if (options.mailDir) mkdirSync(options.mailDir, { recursive: true });
  const maildev = new MailDev({
    smtp: options.smtpPort,
    web: options.webPort,
    ip: '127.0.0.1',
    webIp: '127.0.0.1',
    silent: true,
    ...(options.mailDir ? { mailDirectory: options.mailDir } : {}),
  });
  await quietly(/^MailDev API running/, () => maildev.start());
  return {
    smtpPort: options.smtpPort,
    webPort: options.webPort,
    webUrl: `http://localhost:${options.webPort}`,
    stop: () => {
      closeSessionsAtOnce(maildev);
      return maildev.stop();
    },
  };
}

/**
 * smtp-server waits up to 30 s for its clients to end their sessions before it closes, and the functions' nodemailer
 * pool keeps idle sessions open until its socket timeout: every platform stop waited about 15 s for the mail catcher.
 * A mail server shutting down may end the sessions itself (421, RFC 5321 3.8); maildev does not expose the option,
 * so it is set on its smtp-server before the stop. Left as it is if a maildev version holds it elsewhere.
 */
function closeSessionsAtOnce(maildev: MailDev): void {
  const server = (
    maildev as unknown as { orchestrator?: { smtp?: { smtp?: { options?: Record<string, unknown> } } } }
  ).orchestrator?.smtp?.smtp;
  if (server?.options) server.options.closeTimeout = SESSION_CLOSE_MS;
}

const SESSION_CLOSE_MS = 100;

/**
 * Runs `start` without the console.info lines matching `announcement`: @maildev/api announces its address with
 * console.info whatever `silent` says, which put a line in the output of every passing test file and of
 * `npm run dev` (which prints the mail catcher's address itself).
 */
async function quietly<T>(announcement: RegExp, start: () => Promise<T>): Promise<T> {
  const info = console.info;
  console.info = (...args: unknown[]) => {
    if (!announcement.test(String(args[0]))) info(...args);
  };
  try {
    return await start();
  } finally {
    console.info = info;
  }
}
