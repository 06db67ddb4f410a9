// stripe-mock (Stripe's own API emulator, built by .ci/provision with `go install`) for tests that run the Stripe SDK:
// started on a free port, behind a small recorder that keeps each request's method, path and Idempotency-Key, so a
// test can tell how many payments the platform asked for.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { collectOutput, findOnPath, hasExited, waitForReady } from './processes';

export interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
}

export interface StripeMock {
  /** Where the SDK should send its requests (STRIPE_API_URL). */
  url: string;
  requests: StripeRequest[];
  stop(): Promise<void>;
}

/** Where `go install` put it (GOPATH/bin, ~/go/bin by default), else on PATH. */
async function binary(): Promise<string> {
  const installed = join(process.env.GOPATH || join(homedir(), 'go'), 'bin', 'stripe-mock');
  try {
    await access(installed, constants.X_OK);
    return installed;
  } catch {
    const onPath = await findOnPath('stripe-mock');
    if (onPath) return onPath;
    throw new Error(
      'stripe-mock is not installed: run bash .ci/provision (go install github.com/stripe/stripe-mock)',
    );
  }
}

export async function startStripeMock(): Promise<StripeMock> {
  const port = await freePort();
  // Given only an HTTP address, stripe-mock also binds HTTPS on its default 12112, so a second one (another test
  // file, a bench) could not start: it gets a port of its own.
  const httpsPort = await freePort();
  const output: string[] = [];
  const args = ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${httpsPort}`];
  const proc: ChildProcess = spawn(await binary(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  collectOutput(proc, output, 50);
  try {
    await waitForReady(
      proc,
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/v1/balance`, {
          headers: { authorization: 'Bearer sk_test_123' },
        });
        return response.ok ? true : `HTTP ${response.status}`;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (error) {
    proc.kill();
    throw new Error(`stripe-mock did not start: ${(error as Error).message}\n${output.join('\n')}`);
  }

  const requests: StripeRequest[] = [];
  const recorder = createServer((incoming, outgoing) => {
    const key = incoming.headers['idempotency-key'];
    requests.push({
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0] ?? '/',
      idempotencyKey: Array.isArray(key) ? key[0] : key,
    });
    const forward = httpRequest(
      { host: '127.0.0.1', port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  const { port: recorderPort } = recorder.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${recorderPort}`,
    requests,
    async stop() {
      recorder.closeAllConnections();
      await new Promise((resolve) => recorder.close(resolve));
      if (!hasExited(proc)) {
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill();
        await exited;
      }
    },
  };
}

const STRIPE_ENV = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_URL'] as const;

/**
 * Points the payments of a platform started afterwards in this process at `stripe` (the STRIPE_* variables its
 * functions read), with a fresh webhook secret; answers the secret and a function that puts the variables back.
 */
export function payThroughStripeMock(stripe: StripeMock): { webhookSecret: string; restore: () => void } {
  const saved = Object.fromEntries(STRIPE_ENV.map((name) => [name, process.env[name]]));
  const webhookSecret = `whsec_${randomUUID().replaceAll('-', '')}`;
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: 'sk_test_123',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_URL: stripe.url,
  });
  return {
    webhookSecret,
    restore() {
      for (const name of STRIPE_ENV) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    },
  };
}
