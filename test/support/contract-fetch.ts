// Setup file of the test projects that drive the API with plain fetch (integration, e2e): every answer from a local server to a
// request for an operation of the API is checked against the OpenAPI document, as the shared client does (http.ts).
// Answers of other local servers (the mail catcher, the AWS emulator) match no operation and are left alone.
import { assertContract } from './contract';
import { processWide } from './process-wide';

const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]']);
// Runs again before each file of a process the files share: it wraps Node's own fetch, kept at the first run, never
// its earlier wrapper.
const original = processWide('fetch', () => globalThis.fetch);

globalThis.fetch = async (input, init) => {
  const response = await original(input, init);
  const request = input instanceof Request ? input : undefined;
  const url = new URL(request?.url ?? String(input));
  if (!LOCAL.has(url.hostname)) return response;
  const method = init?.method ?? request?.method ?? 'GET';
  // A clone, so the test still reads the body it was given.
  const text = await response.clone().text();
  assertContract(method, url.href, {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
  });
  return response;
};
