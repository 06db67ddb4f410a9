// The OpenAPI document as the contract of every answer a test receives: the operation the request reached, a status
// the document lists for it, a documented media type and a body that matches the schema of that status.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { manifests } from '../../functions/manifests';
import type { ServiceManifest } from '../../layers/common/manifest';
import { buildOpenApi } from '../../layers/common/openapi';

type Json = Record<string, unknown>;
interface Operation {
  template: string;
  pattern: RegExp;
  params: number;
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

export interface ContractAnswer {
  status: number;
  contentType: string | null;
  /** The body as received (text); '' for none. */
  text: string;
}

/** What the answer to `method url` breaks of the document; an empty list when it keeps to it. */
export type ContractCheck = (method: string, url: string, answer: ContractAnswer) => string[];

export function contractOf(services: readonly ServiceManifest[] = manifests): ContractCheck {
  const document = buildOpenApi(services, { version: 'contract' }) as unknown as {
    paths: Record<string, Record<string, { responses: Operation['responses'] }>>;
    components: { schemas: Record<string, Json> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  const compiled = new Map<object, ValidateFunction>();
  const validatorOf = (schema: Json) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(inlineComponents(schema, document.components.schemas));
      compiled.set(schema, validate);
    }
    return validate;
  };

  const operations = new Map<string, Operation[]>();
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const list = operations.get(method.toUpperCase()) ?? [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      list.push({
        template,
        pattern: new RegExp(`^${source}$`),
        params: (template.match(/\{/g) ?? []).length,
        responses: operation.responses,
      });
      operations.set(method.toUpperCase(), list);
    }
  }
  // A literal segment wins over a parameter (/v1/tickets/qr-keys over /v1/tickets/{id}).
  for (const list of operations.values()) list.sort((a, b) => a.params - b.params);

  return (method, url, answer) => {
    const path = new URL(url, 'http://localhost').pathname;
    const operation = operations.get(method.toUpperCase())?.find((candidate) => candidate.pattern.test(path));
    // Not an operation of the API (the web app's pages, the catch-all's 404 for unknown routes): not its contract.
    if (!operation) return [];
    const where = `${method.toUpperCase()} ${operation.template} answered ${answer.status}`;
    const response = operation.responses[String(answer.status)];
    if (!response) {
      const documented = Object.keys(operation.responses).join(', ');
      return [
        `${where}, a status the document does not list for it (it lists ${documented}): ${answer.text.slice(0, 300)}`,
      ];
    }
    const mediaType = answer.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!response.content) {
      return answer.text === ''
        ? []
        : [`${where} with a body, where the document says none: ${answer.text.slice(0, 300)}`];
    }
    const declared = response.content[mediaType];
    if (!declared) {
      const documented = Object.keys(response.content).join(', ');
      return [`${where} as ${mediaType || 'no media type'}, where the document says ${documented}`];
    }
    if (!declared.schema || !/[/+]json$/.test(mediaType)) return [];
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`${where} as ${mediaType} with a body that is not JSON: ${answer.text.slice(0, 300)}`];
    }
    const validate = validatorOf(declared.schema);
    if (validate(body)) return [];
    const errors = (validate.errors ?? [])
      .map((error) => `${error.instancePath || '(body)'} ${error.message}${paramsOf(error.params)}`)
      .join('; ');
    return [
      `${where} with a body that does not match its documented schema: ${errors}. Body: ${answer.text.slice(0, 500)}`,
    ];
  };
}

const paramsOf = (params: Record<string, unknown>) => {
  const extra = params.additionalProperty ?? params.allowedValues ?? params.missingProperty;
  return extra === undefined ? '' : ` (${JSON.stringify(extra)})`;
};

/** The schema with each `#/components/schemas/<name>` reference replaced by that schema (ajv sees one schema). */
function inlineComponents(schema: unknown, components: Record<string, Json>): Json {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/'))
      return walk(components[ref.slice('#/components/schemas/'.length)]);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
  };
  return walk(schema) as Json;
}

let shared: ContractCheck | undefined;

/**
 * Fails (throws) when an answer breaks the document. On in every test that talks to the API through the shared
 * clients; API_CONTRACT=off switches it off (e.g. to see a test's own assertion first while changing the document).
 */
export function assertContract(method: string, url: string, answer: ContractAnswer): void {
  if (process.env.API_CONTRACT === 'off') return;
  shared ??= contractOf();
  const broken = shared(method, url, answer);
  if (broken.length > 0)
    throw new Error(
      `API contract broken (the OpenAPI document and the server disagree):\n${broken.join('\n')}`,
    );
}
