// Free TCP ports on the loopback interface, so parallel test files never collide.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The five ports a platform listens on (API, AWS emulator, SMTP, mail web UI, PostgreSQL). */
export async function platformPorts() {
  const [api, aws, smtp, mailUi, postgres] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  return { api, aws, smtp, mailUi, postgres };
}

/** The environment that puts `npm run dev` on these ports. */
export const devPortsEnv = (ports: Awaited<ReturnType<typeof platformPorts>>) => ({
  PORT: String(ports.api),
  AWS_EMULATOR_PORT: String(ports.aws),
  SMTP_PORT: String(ports.smtp),
  MAIL_UI_PORT: String(ports.mailUi),
  PGPORT: String(ports.postgres),
});
