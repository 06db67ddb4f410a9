// One API worker of the local runtime (LOCAL_WORKERS above 1): the gateway and every route's function in a process
// of its own, on the port all workers share (node:cluster hands each new connection to one of them). The primary
// (local/api-workers.ts) runs everything else and tells a worker when to stop; a worker whose primary is gone exits.
// Sets what Powertools reads when it loads, before any module that may load it.
import './lambda';
import { InvokeStore } from '@aws/lambda-invoke-store';
import { closePools } from '../layers/common/db';
import { ENV } from '../layers/common/env-names';
import { closeRedis } from '../layers/common/redis';
import { reportRuntimeState } from '../layers/common/runtime-status';
import { startApi } from './api';
import type { ApiWorkerConfig, ToPrimary, ToWorker } from './api-workers';
import { handlerLoader } from './handlers';
import type { LogShipping } from './log-shipping';

const config = JSON.parse(process.env.LOCAL_API_WORKER ?? '{}') as ApiWorkerConfig;
const send = (message: ToPrimary) => {
  if (process.connected) process.send?.(message);
};
const log = (message: string) => send({ type: 'log', message: `API worker ${config.index}: ${message}` });

// Ctrl-C reaches the whole process group; the primary decides when the workers stop, in order.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// The primary is gone (killed, crashed): nothing would ever stop this worker or restart it.
process.on('disconnect', () => process.exit(1));

/** The runtime's view of PostgreSQL (up or restarting), as the primary supervising it last reported. */
const states: Record<string, string> = {};
let stop: (() => Promise<void>) | undefined;
let serve: (() => void) | undefined;
let serveAsked = false;
process.on('message', (message: ToWorker) => {
  if (message.type === 'states') {
    for (const [dependency, state] of Object.entries(message.states)) {
      if (!(dependency in states)) reportRuntimeState(dependency, () => states[dependency] ?? 'unknown');
      states[dependency] = state;
    }
  } else if (message.type === 'serve') {
    serveAsked = true;
    serve?.();
  } else if (message.type === 'stop') {
    void (stop?.() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});

const { manifestsFor } = await import('./api-workers');
const manifests = await manifestsFor(config.services);
// Started before any handler loads, so the lines they log while loading are shipped too.
let logShipping: LogShipping | undefined;
const openSearchUrl = process.env[ENV.openSearchUrl];
if (openSearchUrl) {
  const { startLogShipping } = await import('./log-shipping');
  logShipping = await startLogShipping({ url: openSearchUrl, log });
}
await InvokeStore.getInstanceAsync();
const api = await startApi({
  ...config,
  manifests,
  headers: { 'x-local-worker': String(config.index) },
  log,
});
stop = async () => {
  await api.gateway.close();
  await closePools();
  await closeRedis();
  await logShipping?.stop();
};
await api.load(handlerLoader());
serve = () => api.open();
if (serveAsked) serve();

// The primary's consumers give way while any worker serves a burst, as they did to the one in-process gateway.
let busy = false;
setInterval(() => {
  const now = api.gateway.inFlight() > config.busyRequests;
  if (now !== busy) send({ type: 'busy', busy: now });
  busy = now;
}, 10).unref();
send({ type: 'ready' });
