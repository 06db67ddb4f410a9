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
  await maildev.start();
  return {
    smtpPort: options.smtpPort,
    webPort: options.webPort,
    webUrl: `http://localhost:${options.webPort}`,
    stop: () => maildev.stop(),
  };
}
