// A JSON client for the platform's API in tests: status, headers and the parsed body of each answer, each answer
// checked against the OpenAPI document (contract.ts).
import { assertContract } from './contract';

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API answered.
  body: any;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, as JSON unless a content-type header says otherwise (malformed-body tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

const isJson = (contentType: string | null) => /^application\/([\w.-]+\+)?json\b/i.test(contentType ?? '');

/**
 * `apiUrl` is read on each call, so a client can be made before the platform has started. A JSON answer's body is
 * parsed, any other is the text; an answer the document does not describe fails the test (API_CONTRACT=off: not).
 */
export function client(apiUrl: () => string) {
  return async function api(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.rawBody !== undefined)
      headers['content-type'] ??= 'application/json';
    const url = `${apiUrl()}${path}`;
    const response = await fetch(url, {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    assertContract(method, url, { status: response.status, contentType, text });
    return {
      status: response.status,
      headers: response.headers,
      body: text && isJson(contentType) ? JSON.parse(text) : text || undefined,
    };
  };
}
