// The faults: each does its damage while the purchase load runs and answers when the repair was made (a restart, a
// server back), from which the recovery is timed. Self-healing faults (PostgreSQL killed) are "repaired" at once.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
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
  fault(context: FaultContext): Promise<{
    repairedAt: number;
    detail?: Record<string, unknown>;
    /** Answers no client may get, even under this fault (a 500, a dropped connection): any fails the run. */
    wrongAnswers?: number;
  }>;
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
      // Setup, not the fault: on a loaded machine a sign-up at the real hashing cost can run out of time repeatedly.
      if (attempt === 10) throw error;
      await sleep(Math.min(1_000 * attempt, 5_000));
    }
  }
}

/** Sign-ins come from this many client addresses (127.0.0.2 and up), as from a crowd rather than one script. */
const CROWD_ADDRESSES = 20;

/** The password grant of test/support/accounts.ts, from a given loopback address. */
async function passwordGrantFrom(agent: Agent, apiUrl: string, username: string, password: string) {
  const response = await undiciFetch(`${apiUrl}/v1/oauth/token`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username, password }).toString(),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * 200 password grants at once over 3 accounts (registration is rate-limited per address), 10 from each of 20
 * addresses: the token endpoint's limit is per address (30 a minute), so all 200 reach password hashing, which must
 * shed what it cannot do in time with 503. Over when an account registered before it signs in at once from the
 * address the buyers use, one the burst did not come from.
 */
function signInBurst(): Scenario {
  let probe: Awaited<ReturnType<typeof registerUser>> | undefined;
  return {
    name: 'a burst of 200 sign-ins',
    fault: async ({ runtime }) => {
      const users: Awaited<ReturnType<typeof registerUser>>[] = [];
      for (let index = 0; index < 4; index++) users.push(await registered(runtime.apiUrl));
      probe = users.pop();
      const agents = Array.from(
        { length: CROWD_ADDRESSES },
        (_, index) => new Agent({ localAddress: `127.0.0.${index + 2}` }),
      );
      const answers = await Promise.all(
        Array.from({ length: 200 }, async (_, index) => {
          const user = users[index % users.length];
          const agent = agents[index % agents.length];
          if (!user || !agent) return 0;
          return passwordGrantFrom(agent, runtime.apiUrl, user.email, user.password).catch(() => 0);
        }),
      );
      await Promise.all(agents.map((agent) => agent.close()));
      const statuses: Record<string, number> = {};
      for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
      // Served, or shed as an overload (503 with Retry-After): nothing else.
      const wrongAnswers = answers.filter((status) => status !== 200 && status !== 503).length;
      return { repairedAt: Date.now(), detail: { signIns: statuses }, wrongAnswers };
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
