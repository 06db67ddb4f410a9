// `npm run logs -- --correlation-id <id> [--url <opensearch>] [--since 1h] [--size 1000] [--json]`: every log line of
// one request across services, oldest first, from the OpenSearch log indices (SigV4-signed for an AWS domain).
import { parseArgs } from 'node:util';
import { correlationQuery, parseSince } from '../functions/ops/log-query';
import { openSearchClient, openSearchLogStore } from '../functions/ops/log-store.opensearch';

const USAGE =
  'usage: npm run logs -- --correlation-id <id> [--url http://localhost:9200] [--since 1h] [--size 1000] [--json]';

const { values } = parseArgs({
  options: {
    'correlation-id': { type: 'string' },
    url: { type: 'string' },
    since: { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values['correlation-id']) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

const url = values.url ?? process.env.OPENSEARCH_URL ?? 'http://localhost:9200';
const correlationId = values['correlation-id'];
const query = correlationQuery(correlationId, {
  since: values.since ? parseSince(values.since) : undefined,
  size: values.size ? Number(values.size) : undefined,
});

const store = openSearchLogStore(await openSearchClient({ url }));
const hits = await store.search(query);
if (hits.length === 0) {
  process.stderr.write(`no log lines with correlation id ${correlationId} in ${url}\n`);
  process.exit(1);
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
for (const { source } of hits) {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(source)}\n`);
    continue;
  }
  const http = source.status === undefined ? '' : ` ${text(source.status)} ${text(source.latency_ms)}ms`;
  const where = source.route
    ? ` ${text(source.route)}`
    : source.message_type
      ? ` ${text(source.message_type)}`
      : '';
  process.stdout.write(
    `${text(source.timestamp)} ${text(source.level).padEnd(5)} ${text(source.service).padEnd(13)} ` +
      `${text(source.function_name)}${where}${http}  ${text(source.message)}\n`,
  );
}
process.stderr.write(`${hits.length} line(s)\n`);
