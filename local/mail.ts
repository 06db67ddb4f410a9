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
    stop: () => maildev.stop(),
  };
}

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
