// Runs in a fresh Node process per sample: times `await import(bundle)`, blocks and records any network use during
// initialisation, and reports as one JSON line on fd 3 (stdout and stderr belong to the module under test).
// Plain JavaScript on purpose: a TypeScript loader here would be part of the measured start-up.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { writeSync } from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const [bundlePath, observeArg = '0'] = process.argv.slice(2);
const observeMs = Number(observeArg);
const network = [];
const uncaught = [];

const blocked = (what) =>
  Object.assign(new Error(`network blocked by the bench: ${what}`), { code: 'ECONNREFUSED' });

// net.Socket#connect is where net.connect, tls.connect, http(s), fetch (undici) and the pg and Redis clients all
// end up, so one patch sees every TCP and TLS attempt. The socket fails asynchronously, like a refused connection.
net.Socket.prototype.connect = function blockedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  const target = options.path ?? `${options.host ?? 'localhost'}:${options.port}`;
  network.push(`tcp ${target}`);
  process.nextTick(() => this.destroy(blocked(target)));
  return this;
};

dns.lookup = (hostname, ...rest) => {
  network.push(`dns ${hostname}`);
  const callback = rest.at(-1);
  if (typeof callback === 'function') process.nextTick(() => callback(blocked(hostname)));
};
dns.promises.lookup = async (hostname) => {
  network.push(`dns ${hostname}`);
  throw blocked(hostname);
};

dgram.Socket.prototype.send = function blockedSend(_message, ...rest) {
  const port = rest.find((value) => typeof value === 'number');
  network.push(`udp port ${port}`);
};

// A blocked socket without an error listener would crash the process before it could report; record instead.
process.on('uncaughtException', (error) => uncaught.push(String(error?.message ?? error)));
process.on('unhandledRejection', (error) => uncaught.push(String(error?.message ?? error)));

function report(result) {
  writeSync(3, `${JSON.stringify({ ...result, network, uncaught })}\n`);
  process.exit(0);
}

// Touch stdout and stderr first: their pipe handles are created lazily and belong to the baseline, not the module.
void process.stdout;
void process.stderr;
const before = process.getActiveResourcesInfo();
const started = performance.now();
let error;
try {
  await import(pathToFileURL(bundlePath).href);
} catch (caught) {
  error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
}
const ready = performance.now();
const timing = { coldInitMs: ready - started, readyEpochMs: performance.timeOrigin + ready, error };

if (observeMs > 0) {
  // Late connections (a client that connects on the next tick) and handles left open only show after a pause.
  setTimeout(() => {
    const left = [...process.getActiveResourcesInfo()];
    for (const resource of [...before, 'Timeout']) {
      const index = left.indexOf(resource);
      if (index >= 0) left.splice(index, 1);
    }
    report({ ...timing, activeResources: left });
  }, observeMs);
} else {
  report(timing);
}
