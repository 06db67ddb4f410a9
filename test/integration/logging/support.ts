// Helpers of the logging tests: the platform started against a chosen OpenSearch URL with its runtime log kept, a
// TCP forwarder that stands for a stable OpenSearch address while the server behind it is down and then answers again,
// putting an event on sale, buying with a chosen correlation id, and the lines OpenSearch holds for one request.
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { InventorySyncRequest } from '../../../events/contracts/catalogue';
import { correlationQuery } from '../../../functions/ops/log-query';
import { openSearchClient, openSearchLogStore } from '../../../functions/ops/log-store.opensearch';
import { invokeInternal } from '../../../layers/common/internal';
import type { Platform } from '../../../local/platform';
import { startTestPlatform } from '../../support/platform';
import { freePort } from '../../support/ports';

export interface PlatformWithLog {
  platform: Platform;
  /** What the runtime reported (its `log` option), in order. */
  runtimeLog: string[];
}

/** The platform against this OpenSearch URL, with what the runtime reports kept. */
export async function startPlatformWith(openSearchUrl: string): Promise<PlatformWithLog> {
  const runtimeLog: string[] = [];
  const platform = await startTestPlatform({
    openSearchUrl,
    schedules: false,
    log: (message) => runtimeLog.push(message),
  });
  return { platform, runtimeLog };
}

/**
 * Listens on one port and pipes each connection to the current target, as a DNS name in front of OpenSearch would.
 * With no target it stops listening, so a client meets a refused connection exactly as when the server is stopped.
 */
export async function startForwarder(target: string) {
  let upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const server = connect(Number(upstream.port), upstream.hostname);
    sockets.add(server);
    server.on('close', () => sockets.delete(server));
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.pipe(server).pipe(client);
  });
  const port = await freePort();
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    /** The server behind the address is gone: open connections are cut and new ones refused. */
    down: close,
    /** Another server answers at the same address. */
    up: async (next: string) => {
      upstream = new URL(next);
      await listen();
    },
    close,
  };
}

/** Puts a one-tier event on sale in tickets, as the events service does when an organizer publishes. */
export async function eventOnSale(quantity = 20) {
  const eventId = randomUUID();
  const startsAt = new Date(Date.now() + 7 * 24 * 3600_000);
  const request: InventorySyncRequest = {
    eventId,
    organizerId: randomUUID(),
    status: 'on_sale',
    capacity: quantity,
    event: {
      name: `Show ${eventId.slice(0, 8)}`,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3 * 3600_000).toISOString(),
      timezone: 'Europe/Paris',
      place: 'Olympia, Paris, FR',
    },
    // Free: the purchase itself confirms, so its lines and the email's carry the purchase's correlation id.
    tiers: [{ tierId: randomUUID(), name: 'Standard', price: 0, currency: 'EUR', quantity }],
  };
  await invokeInternal('tickets.syncInventory', request, `setup-${eventId}`);
  return { eventId, tierId: request.tiers[0]?.tierId ?? '' };
}

export function buy(
  apiUrl: string,
  accessToken: string,
  event: { eventId: string; tierId: string },
  correlationId: string,
  quantity = 1,
) {
  return fetch(`${apiUrl}/v1/events/${event.eventId}/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
      'x-correlation-id': correlationId,
    },
    body: JSON.stringify({ items: [{ tierId: event.tierId, quantity }] }),
  });
}

export type LogLine = Record<string, unknown>;

/** Every line of one request in the OpenSearch at `url`, oldest first: the query `npm run logs` sends. */
export async function linesOf(url: string, correlationId: string): Promise<LogLine[]> {
  const store = openSearchLogStore(await openSearchClient({ url }));
  return (await store.search(correlationQuery(correlationId))).map((hit) => hit.source);
}

export const servicesOf = (lines: LogLine[]) =>
  [...new Set(lines.map((line) => String(line.service)))].sort();
