// The local gateway under slow clients, slow functions and clients that give up: limits and deadlines keep it
// serving, and what is no fault of ours is logged as a notice, never as a 500 with a stack trace.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../layers/common/routes';
import { type Gateway, type GatewayLimits, startGateway } from '../../../local/gateway';
import type { AnyHandler } from '../../../local/lambda';
import { handler as fast } from '../../fixtures/slow/fast';
import { slow } from '../../fixtures/slow/manifest';
import { cancelled, finished, handler as wait } from '../../fixtures/slow/wait';
import { startTestPlatform } from '../../support/platform';
import { waitUntil } from '../../support/wait';

let gateway: Gateway | undefined;
let errors: unknown[] = [];
let notices: string[] = [];
const sockets: Socket[] = [];

async function start(limits: Partial<GatewayLimits> = {}) {
  errors = [];
  notices = [];
  gateway = await startGateway({
    port: 0,
    table: compileRoutes([slow]),
    handlers: new Map<string, AnyHandler>([
      ['slow.wait', wait],
      ['slow.fast', fast],
    ]),
    authorize: async () => ({ ok: false, reason: 'no auth in this test' }),
    corsOrigins: [],
    onError: (error) => errors.push(error),
    onNotice: (message) => notices.push(message),
    limits,
  });
  return gateway;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await gateway?.close();
  gateway = undefined;
});

/** A raw connection that sends `text` and keeps what comes back; `closed` settles when the server closes it. */
async function rawClient(port: number, text: string) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(text);
  return { socket, closed, received: () => received };
}

const get = (path: string, init?: RequestInit) => fetch(`${gateway?.url}${path}`, init);

describe('a function past its timeout', () => {
  it('answers 504 problem+json at the timeout, keeps serving, and cancels the late work', async () => {
    await start();
    const before = { finished: finished.count, cancelled: cancelled.count };
    const started = Date.now();
    const late = get('/v1/test/slow/wait?ms=3500');
    // Meanwhile the gateway serves others.
    expect(await (await get('/v1/test/slow/fast')).text()).toBe('fast');

    const response = await late;
    expect(response.status).toBe(504);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 504, title: 'Gateway timeout' });
    // The route's timeout is 2 s: answered then, not when the function finished.
    expect(Date.now() - started).toBeLessThan(3500);

    // Its wait was aborted at the timeout (the invocation's signal), not left to run its 3.5 s.
    await waitUntil(() => cancelled.count > before.cancelled, { message: 'the late invocation cancelled' });
    expect(finished.count).toBe(before.finished);
    expect((await get('/v1/test/slow/fast')).status).toBe(200);
    expect(errors).toEqual([]);
    expect(notices).toEqual([
      expect.stringMatching(/wait\?ms=3500: Task timed out after 2 seconds; answered 504/),
    ]);
  });

  it('is not cut off by the request timeout, which bounds only receiving the request', async () => {
    await start({ headersTimeoutMs: 300, requestTimeoutMs: 500 });
    const response = await get('/v1/test/slow/wait?ms=1200');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('waited 1200 ms');
  });
});

describe('slow clients', () => {
  it('cuts off a client that never finishes its headers with 408', async () => {
    const { port } = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const client = await rawClient(port, 'GET /v1/test/slow/fast HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect((await get('/v1/test/slow/fast')).status).toBe(200);
  });

  it('refuses connections beyond the limit at once, and serves again when the slow ones are cut off', async () => {
    const { port } = await start({ maxConnections: 4, headersTimeoutMs: 2000, requestTimeoutMs: 2000 });
    const slowClients = [];
    for (let i = 0; i < 4; i++)
      slowClients.push(await rawClient(port, 'GET /v1/test/slow/fast HTTP/1.1\r\nHost: localhost\r\n'));

    const extra = await rawClient(port, 'GET /v1/test/slow/fast HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await extra.closed;
    expect(extra.received()).toBe('');
    expect(notices).toEqual([expect.stringMatching(/refused 1 connection\(s\): 4 open already/)]);
    // Still holding their connections: the slow clients were not the ones let go.
    expect(slowClients.some((client) => client.socket.destroyed)).toBe(false);

    await Promise.all(slowClients.map((client) => client.closed));
    const response = await get('/v1/test/slow/fast', { headers: { connection: 'close' } });
    expect(await response.text()).toBe('fast');
    expect(errors).toEqual([]);
  });

  it('takes the place of the connection idle the longest when every place is taken, rather than keep anyone waiting', async () => {
    const { port } = await start({ maxConnections: 2 });
    const request = 'GET /v1/test/slow/fast HTTP/1.1\r\nHost: localhost\r\n\r\n';
    // Two keep-alive clients, answered and now idle between requests, the first idle the longest.
    const first = await rawClient(port, request);
    await waitUntil(() => first.received().endsWith('fast'));
    const second = await rawClient(port, request);
    await waitUntil(() => second.received().endsWith('fast'));

    const third = await rawClient(port, request);
    await waitUntil(() => third.received().endsWith('fast'));
    await first.closed;
    expect(second.socket.destroyed).toBe(false);
    expect(notices).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('a client that closes its request before the answer', () => {
  it('is logged as such while the function runs, not as an error', async () => {
    const { port } = await start();
    const before = finished.count;
    const client = await rawClient(port, 'GET /v1/test/slow/wait?ms=300 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitUntil(() => gateway?.inFlight() === 1);
    client.socket.destroy();
    await waitUntil(() => finished.count > before, { message: 'the abandoned invocation finishing' });
    await waitUntil(() =>
      notices.some((line) => line.startsWith('client closed request GET /v1/test/slow/wait')),
    );
    expect(errors).toEqual([]);
  });

  it('is logged as such mid-body, not as an error', async () => {
    const { port } = await start();
    const client = await rawClient(
      port,
      'POST /v1/test/slow/fast HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"half":',
    );
    await waitUntil(() => gateway?.inFlight() === 1);
    client.socket.destroy();
    await waitUntil(() =>
      notices.some((line) => line.startsWith('client closed request POST /v1/test/slow/fast')),
    );
    expect(gateway?.inFlight()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('the runtime log', () => {
  it('shows a client abort as a gateway notice, with no error or stack trace', async () => {
    const lines: string[] = [];
    const platform = await startTestPlatform({
      manifests: [slow],
      schedules: false,
      redisUrl: null,
      openSearchUrl: null,
      log: (line) => lines.push(line),
    });
    try {
      const { port } = new URL(platform.apiUrl);
      const client = await rawClient(
        Number(port),
        'POST /v1/test/slow/fast HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"half":',
      );
      await waitUntil(async () => (await fetch(`${platform.apiUrl}/v1/test/slow/fast`)).ok);
      client.socket.destroy();
      await waitUntil(() => lines.some((line) => line.startsWith('gateway: client closed request POST')));
      expect(lines.filter((line) => /error|\n\s+at /i.test(line))).toEqual([]);
    } finally {
      await platform.stop();
    }
  });
});
