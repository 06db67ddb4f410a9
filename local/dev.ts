// `npm run dev`: the whole platform on a laptop with only Node.js. `npm run dev -- --fresh` starts from empty data;
// `--ephemeral` keeps queues, objects and mail in memory (the bench uses it).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { manifests } from '../functions/manifests';
import { intEnv, optionalEnv } from '../layers/common/config';
import { redisUrlFromEnv } from '../layers/common/redis';
import { apiWorkerCount } from './api-workers';
import { ROOT, startPlatform } from './platform';
import { ensureWebAppBuilt } from './web-app';

const { values } = parseArgs({
  options: { fresh: { type: 'boolean', default: false }, ephemeral: { type: 'boolean', default: false } },
});
const log = (message: string) => process.stderr.write(`[dev] ${message}\n`);

await ensureWebAppBuilt(join(ROOT, 'web'), log);

/** Every failed start says what failed and what to do, never just a stack or `undefined`. */
function explain(error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { port?: number };
  if (failure?.code === 'EADDRINUSE')
    return `port ${failure.port ?? ''} is in use (another \`npm run dev\`?).\nFix: stop it, or choose free ports with PORT, AWS_EMULATOR_PORT, SMTP_PORT, MAIL_UI_PORT and PGPORT`;
  return failure instanceof Error ? failure.message : String(error);
}

// Read before the start: the runtime then sets AWS_ENDPOINT_URL itself, for the functions it runs in this process.
const externalAwsEndpoint = optionalEnv('AWS_ENDPOINT_URL');
const workers = apiWorkerCount();

const platform = await startPlatform({
  manifests,
  dataDir: optionalEnv('LOCAL_DATA_DIR', join(ROOT, '.local')),
  fresh: values.fresh,
  ephemeral: values.ephemeral,
  ports: {
    api: intEnv('PORT', 3000),
    aws: intEnv('AWS_EMULATOR_PORT', 4566),
    smtp: intEnv('SMTP_PORT', 1025),
    mailUi: intEnv('MAIL_UI_PORT', 1080),
    postgres: intEnv('PGPORT', 5433),
  },
  redisUrl: redisUrlFromEnv('redis://127.0.0.1:6379'),
  openSearchUrl: optionalEnv('OPENSEARCH_URL'),
  externalAwsEndpoint,
  workers,
  log,
}).catch((error: unknown) => {
  log(`could not start: ${explain(error)}`);
  process.exit(1);
});

const routes = manifests.reduce((count, manifest) => count + Object.keys(manifest.routes).length, 0);
process.stdout.write(
  [
    '',
    `TicketOrLeaveIt is up (${routes} routes, ${workers > 1 ? `${workers} API workers` : 'one API process'})`,
    `  Web app        ${platform.apiUrl}/`,
    `  API            ${platform.apiUrl}  (health: ${platform.apiUrl}/v1/health, docs: ${platform.apiUrl}/v1/docs)`,
    `  Mail inbox     ${platform.mailUrl}  (SMTP on port ${platform.smtpPort})`,
    `  AWS endpoint   ${platform.awsEndpoint}  (SQS, SNS, S3${externalAwsEndpoint ? ', external: LocalStack profile' : ', embedded fauxqs'})`,
    `  PostgreSQL     ${Object.values(platform.databaseUrls)[0]
      ?.replace(/\/\/[^@]+@/, '//…@')
      .replace(/\/[^/]+$/, '/<service>')}`,
    `  Redis          ${platform.redis}`,
    `  OpenSearch     ${platform.openSearch}${platform.logShipping ? '  (function logs shipped to logs-*; npm run logs -- --correlation-id <id>)' : ''}`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await platform.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// SIGUSR2 takes the mail catcher down, and the next one brings it back: a mail outage on demand (the fault suite,
// `npm run chaos`, uses it; by hand: kill -USR2 <pid>).
let mailDown = false;
process.on('SIGUSR2', () => {
  mailDown = !mailDown;
  log(mailDown ? 'SIGUSR2: mail catcher stopped' : 'SIGUSR2: mail catcher started again');
  (mailDown ? platform.mailServer.stop() : platform.mailServer.start()).catch((error: unknown) =>
    log(`mail catcher: ${explain(error)}`),
  );
});
