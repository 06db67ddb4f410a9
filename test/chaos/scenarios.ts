// The faults: each does its damage while the purchase load runs and answers when the repair was made (a restart, a
// server back), from which the recovery is timed. Self-healing faults (PostgreSQL killed) are "repaired" at once.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { passwordGrant, registerUser } from '../support/accounts';
import type { RedisServer } from '../support/redis-server';
import type { ChaosRuntime } from './runtime';

export interface FaultContext {
  runtime: ChaosRuntime;
  redis?: RedisServer;
  openSearch?: CuttableLink;
  /** Short runs keep outages short. */
  short: boolean;
}

export interface Scenario {
  name: string;
  /** What the scenario needs that may be missing on this machine (then it is reported as skipped). */
  needs?: 'redis' | 'openSearch';
  /** Runs in the short version (CI). */
  short?: boolean;
  /** Does the damage; answers when the repair was made, and anything worth reporting. */
  fault(context: FaultContext): Promise<{ repairedAt: number; detail?: Record<string, unknown> }>;
  /** Beyond health being back: what shows this fault is over (default: a purchase answered after the repair). */
  recovered?(context: FaultContext): Promise<boolean>;
}

/** A TCP link to a server that can be cut (connections refused, open ones dropped) and restored: an outage. */
export interface CuttableLink {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function cuttableLink(target: URL, port: number): Promise<CuttableLink> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => (socket === client ? upstream : client).destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  const cut = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
  };
  await open();
  return { url: `http://127.0.0.1:${port}`, cut, restore: open, close: cut };
}

/** A dependency down for a while, then back: repaired when it is back. Short runs keep it down at most 10 s. */
function outage(
  name: string,
  downForMs: number,
  down: (context: FaultContext) => Promise<void> | void,
  up: (context: FaultContext) => Promise<void> | void,
  needs?: Scenario['needs'],
): Scenario {
  return {
    name,
    needs,
    fault: async (context) => {
      await down(context);
      await sleep(context.short ? Math.min(downForMs, 10_000) : downForMs);
      await up(context);
      return { repairedAt: Date.now() };
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'runtime killed (kill -9) and restarted',
    short: true,
    fault: async ({ runtime }) => {
      await runtime.crash();
      const repairedAt = Date.now();
      await runtime.start();
      return { repairedAt, detail: { restartMs: Date.now() - repairedAt } };
    },
  },
  {
    name: 'PostgreSQL killed (kill -9)',
    short: true,
    fault: async ({ runtime }) => {
      runtime.killPostgres();
      return { repairedAt: Date.now() };
    },
  },
  outage(
    'PostgreSQL stalled (SIGSTOP) for 10 s',
    10_000,
    ({ runtime }) => runtime.signalPostgres('SIGSTOP'),
    ({ runtime }) => runtime.signalPostgres('SIGCONT'),
  ),
  outage(
    'Redis stopped for 10 s, then started again (empty)',
    10_000,
    ({ redis }) => redis?.stop(),
    ({ redis }) => redis?.start(),
    'redis',
  ),
  outage(
    'mail catcher down for a minute',
    60_000,
    ({ runtime }) => runtime.toggleMail(),
    ({ runtime }) => runtime.toggleMail(),
  ),
  outage(
    'OpenSearch unreachable for 20 s',
    20_000,
    ({ openSearch }) => openSearch?.cut(),
    ({ openSearch }) => openSearch?.restore(),
    'openSearch',
  ),
  signInBurst(),
];

/** Registers a user, retrying as a client would (a registration may be refused with 503 while hashing is busy). */
async function registered(apiUrl: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await registerUser(apiUrl);
    } catch (error) {
      if (attempt === 5) throw error;
      await sleep(1_000 * attempt);
    }
  }
}

/** 200 password grants at once over 3 accounts (registration is rate-limited per address); over when an account registered before it signs in at once. */
function signInBurst(): Scenario {
  let probe: Awaited<ReturnType<typeof registerUser>> | undefined;
  return {
    name: 'a burst of 200 sign-ins',
    fault: async ({ runtime }) => {
      const users: Awaited<ReturnType<typeof registerUser>>[] = [];
      for (let index = 0; index < 4; index++) users.push(await registered(runtime.apiUrl));
      probe = users.pop();
      const answers = await Promise.all(
        Array.from({ length: 200 }, async (_, index) => {
          const user = users[index % users.length];
          if (!user) return 0;
          try {
            return (await passwordGrant(runtime.apiUrl, user.email, user.password)).status;
          } catch {
            return 0;
          }
        }),
      );
      const statuses: Record<string, number> = {};
      for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
      return { repairedAt: Date.now(), detail: { signIns: statuses } };
    },
    recovered: async ({ runtime }) => {
      if (!probe) return false;
      const response = await passwordGrant(runtime.apiUrl, probe.email, probe.password).catch(
        () => undefined,
      );
      return response?.status === 200;
    },
  };
}
