// Free TCP ports on the loopback interface, so parallel test files never collide.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The first port the kernel hands out for outgoing connections. A port found free and bound a moment later can be
 * taken in between by any of the test run's many outgoing connections when it lies in that range (as `listen(0)`'s
 * ports do), so test ports are drawn from below it.
 */
function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : IANA_EPHEMERAL_START;
  } catch {
    return IANA_EPHEMERAL_START; // macOS and others use IANA's range
  }
}
const IANA_EPHEMERAL_START = 49152;
/** Below this are the well-known and commonly configured service ports (PostgreSQL's 5432, Redis's 6379, 8080 ...). */
const LOWEST_TEST_PORT = 10_000;
const ATTEMPTS = 50;
/**
 * Ports the Fetch standard blocks (its "bad ports", https://fetch.spec.whatwg.org/#port-blocking) from the range above:
 * browsers and Node's fetch refuse to connect to them ("bad port"). One a platform drew for its S3 emulator failed a
 * browser test's download of a presigned link.
 */
const FETCH_BLOCKED = new Set([10080]);

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/** A port nothing listens on now, chosen at random below the ephemeral range (any free port if that range is low). */
export async function freePort(): Promise<number> {
  const high = ephemeralRangeStart();
  if (high - LOWEST_TEST_PORT >= 1_000) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const candidate = LOWEST_TEST_PORT + Math.floor(Math.random() * (high - LOWEST_TEST_PORT));
      const port = FETCH_BLOCKED.has(candidate) ? undefined : await listenOn(candidate);
      if (port !== undefined) return port;
    }
  }
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** Starts of a platform on new ports after one lost a port between being found free and being bound. */
export const PORT_ATTEMPTS = 3;

/**
 * Whether a start failed because a port was taken (the error of an in-process start, or what `npm run dev` printed).
 */
export const lostAPort = (failure: unknown) =>
  /EADDRINUSE|address already in use|could not bind|port \d*\s*is in use/i.test(
    typeof failure === 'string'
      ? failure
      : `${(failure as { code?: string }).code ?? ''} ${(failure as Error).message ?? ''}`,
  );

/** Five different ports a platform listens on (API, AWS emulator, SMTP, mail web UI, PostgreSQL). */
export async function platformPorts() {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [api, aws, smtp, mailUi, postgres] = [...ports] as [number, number, number, number, number];
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
