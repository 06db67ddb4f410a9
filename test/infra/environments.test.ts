// The dev and prod environments of the CDK app built from the real manifests, and the linters over every template
// both synthesize. Bundling is skipped (`aws:cdk:bundling-stacks: []`): app.test.ts already bundles and loads the
// functions; here only the templates matter, which keeps two more syntheses cheap. The linters are the slow part (a
// few minutes of CPU): they start as soon as the templates they read are written, each in its own process, and run
// while prod synthesizes and the other tests here read the templates.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type PlatformApp } from '../../infra-cdk/lib/app';
import { defaultMaxConnections, ENVIRONMENTS, PURCHASE_FUNCTION } from '../../infra-cdk/lib/environments';
import { REPO_ROOT } from '../../infra-cdk/lib/settings';
import { applySizing, proxyConnectionLimit, RESERVED_SHARE_OF_PROXY } from '../../infra-cdk/lib/sizing';

const run = promisify(execFile);
const SYNTH_MS = 420_000;
const LINT_MS = 900_000;
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

/** What a prod deploy must name (README "Deploying"). */
const PROD_CONTEXT = {
  env: 'prod',
  alarmEmail: 'ops@example.com',
  issuerUrl: 'https://api.example.com',
  backupCopyRegion: 'us-west-2',
};

interface Synthesized extends PlatformApp {
  assembly: CloudAssembly;
  templates: Map<string, Template>;
}

// The CDK's own template validation (on by default) downgrades what it finds to warnings nobody here reads:
// cfn-lint and checkov below are the checks of these templates, and app.test.ts asserts that validation's report.
vi.stubEnv('CDK_VALIDATION', 'false');
afterAll(() => vi.unstubAllEnvs());

/** Both environments' cloud assemblies, side by side: one checkov run reads both. */
const outRoot = mkdtempSync(join(tmpdir(), 'tol-env-'));

function cdkContext(): object {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: object }).context;
}

function synth(context: Record<string, string>): Synthesized {
  const platform = buildApp({
    appProps: {
      outdir: join(outRoot, context.env as string),
      context: { ...cdkContext(), ...context, 'aws:cdk:bundling-stacks': [] },
    },
  });
  const assembly = platform.app.synth();
  const templates = new Map(
    assembly.stacks.map((stack) => [stack.stackName, Template.fromJSON(stack.template as object)]),
  );
  return { ...platform, assembly, templates };
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function templateOf(app: Synthesized, stack: Stack): Template {
  const template = app.templates.get(stack.stackName);
  expect(template, stack.stackName).toBeDefined();
  return template as Template;
}

/** Every function in the service stacks, with the `tol:<kind>` tag value naming it. */
function functionsByName(app: Synthesized): Map<string, Resource> {
  const found = new Map<string, Resource>();
  for (const service of app.stateless.services.values()) {
    for (const [, fn] of resourcesOf(templateOf(app, service), 'AWS::Lambda::Function')) {
      const tags = (fn.Properties.Tags ?? []) as { Key: string; Value: string }[];
      const kind = tags.find((tag) => tag.Key === 'tol:kind')?.Value;
      const name = tags.find((tag) => tag.Key === `tol:${kind}`)?.Value;
      if (name) found.set(name, fn);
    }
  }
  return found;
}

/** Where .ci/provision installs its tools; cfn-lint and checkov are in its venv. */
const TOOLS_DIR = process.env.TOL_CACHE_DIR ?? join(homedir(), '.cache/ticketorleaveit');
const VENV_BIN = join(TOOLS_DIR, 'venv/bin');

function tool(name: string): string | undefined {
  const path = join(VENV_BIN, name);
  if (existsSync(path)) return path;
  // In CI the tools are always installed: a missing one is a broken provision, not a reason to skip.
  if (process.env.CI === 'true') throw new Error(`${path} is missing: .ci/provision installs it`);
  return undefined;
}

const cfnLint = tool('cfn-lint');
const checkov = tool('checkov');

function templateFiles(app: Synthesized): string[] {
  return readdirSync(app.assembly.directory)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(app.assembly.directory, file));
}

/**
 * A linter's verdict depends only on the bytes it reads, its arguments and the installed Python packages (the linters
 * and the rules and specifications they ship). A clean verdict is remembered under a hash of all of them, so a run
 * whose templates, configuration and tools are unchanged (the same commit again, a change outside infra) skips a
 * minute of Python per environment; any changed byte runs the linter again. Findings and crashes are never remembered.
 */
const PASSED_DIR = join(TOOLS_DIR, 'lint-passed');

function installedPackages(): string[] {
  const lib = join(TOOLS_DIR, 'venv/lib');
  if (!existsSync(lib)) return [];
  return readdirSync(lib).flatMap((python) => {
    const sitePackages = join(lib, python, 'site-packages');
    return existsSync(sitePackages)
      ? readdirSync(sitePackages)
          .filter((entry) => entry.endsWith('.dist-info'))
          .map((entry) => `${python}/${entry}`)
      : [];
  });
}

/**
 * What differs between two checkouts of the same commit, masked out of a marker: the checkout's absolute path (in the
 * CDK's metadata and asset manifests, and the config files' paths) and the hex digests the CDK derives from it (asset
 * hashes, S3 keys, the version ids and asset destinations made from them). A linter's verdict does not depend on them
 * (they are opaque names, used the same way wherever they appear), so a fresh clone in a new folder reuses the verdict
 * on the same templates; any change to what the linters check still changes the marker.
 */
const CHECKOUT_DIGEST = /[0-9a-f]{32,}|(?<=[-:])[0-9a-f]{8}(?=")/g;
const masked = (text: string) =>
  text.split(REPO_ROOT).join('<checkout>').replace(CHECKOUT_DIGEST, '<digest>');

/** The marker of a clean verdict of `args` over `files` (named relative to `root`, as the linter reports them). */
function passedMarker(args: string[], root: string, files: string[]): string {
  const hash = createHash('sha256');
  const field = (text: string) => hash.update(`${text.length}:`).update(text);
  for (const entry of [...args, ...installedPackages().sort()]) field(masked(entry));
  // In an order that does not depend on the digests in the files' names either.
  const entries = files.map((file) => {
    const content = masked(readFileSync(file, 'latin1'));
    // A configuration file from the checkout is named from it (its path relative to the linted folder would not do:
    // that is a temporary folder, at another distance from each checkout).
    const name = file.startsWith(`${root}/`)
      ? relative(root, file)
      : `<checkout>/${relative(REPO_ROOT, file)}`;
    return {
      name: masked(name),
      content,
      digest: createHash('sha256').update(content).digest('hex'),
    };
  });
  entries.sort((a, b) => a.name.localeCompare(b.name) || a.digest.localeCompare(b.digest));
  for (const { name, content } of entries) {
    field(name);
    field(content);
  }
  return join(PASSED_DIR, hash.digest('hex'));
}

function rememberPassed(marker: string): void {
  mkdirSync(PASSED_DIR, { recursive: true });
  writeFileSync(marker, '');
}

/** cfn-lint's findings over these templates ('' when there are none). */
function runCfnLint(files: string[]): Promise<string> {
  const config = join(REPO_ROOT, '.cfnlintrc');
  const args = ['--format', 'parseable', '--config-file', config, '--', ...files];
  const marker = passedMarker(['cfn-lint', ...args.slice(0, -files.length)], outRoot, [config, ...files]);
  if (existsSync(marker)) return Promise.resolve('');
  return run(cfnLint as string, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout }) => {
      if (stdout.trim() === '') rememberPassed(marker);
      return stdout.trim();
    },
    (error: { stdout?: string; code?: number }) => `${error.stdout ?? ''}(exit ${error.code})`,
  );
}

/** checkov's failed checks over every template below the folder, as `<check> <file> <resource>`. */
async function runCheckov(dir: string): Promise<string[]> {
  const config = join(REPO_ROOT, '.checkov.yaml');
  const args = ['--config-file', config, '-d', dir, '-o', 'json'];
  // checkov reads every file below the folder (it decides which are templates).
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  const marker = passedMarker(['checkov', ...args.filter((arg) => arg !== dir)], dir, [config, ...files]);
  if (existsSync(marker)) return [];
  let exitedCleanly = true;
  const { stdout } = await run(checkov as string, args, {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => {
    exitedCleanly = false;
    return { stdout: error.stdout ?? '[]' };
  });
  const reports = [JSON.parse(stdout)].flat() as {
    results: { failed_checks: { check_id: string; resource: string; file_path: string }[] };
  }[];
  const failed = reports.flatMap((report) =>
    report.results.failed_checks.map((check) => `${check.check_id} ${check.file_path} ${check.resource}`),
  );
  if (exitedCleanly && failed.length === 0) rememberPassed(marker);
  return failed;
}

let dev: Synthesized;
let prod: Synthesized;
const linted: { files: string[]; cfnLint: Promise<string>[]; checkov?: Promise<string[]> } = {
  files: [],
  cfnLint: [],
};
const lint = (app: Synthesized) => {
  const files = templateFiles(app);
  linted.files.push(...files);
  if (cfnLint) linted.cfnLint.push(runCfnLint(files));
};
beforeAll(() => {
  dev = synth({ env: 'dev' });
  // dev's cfn-lint runs while prod synthesizes; checkov reads both environments' folders in one run.
  lint(dev);
  prod = synth(PROD_CONTEXT);
  lint(prod);
  if (checkov) linted.checkov = runCheckov(outRoot);
}, SYNTH_MS);
afterAll(async () => {
  // The folder goes only once no linter reads it any more.
  await Promise.allSettled([...linted.cfnLint, linted.checkov]);
  rmSync(outRoot, { recursive: true, force: true });
});

describe('choosing an environment', () => {
  it('refuses to synthesize prod without an alarm recipient or a stable issuer, and an unknown env', () => {
    const attempt = (context: Record<string, string>) => () =>
      buildApp({ appProps: { context: { ...cdkContext(), ...context } } });
    const { alarmEmail: _, ...noRecipient } = PROD_CONTEXT;
    expect(attempt(noRecipient)).toThrow(/env=prod needs an alarm recipient/);
    const { issuerUrl: __, ...noIssuer } = PROD_CONTEXT;
    expect(attempt(noIssuer)).toThrow(/stable JWT issuer/);
    expect(attempt({ env: 'staging' })).toThrow(/env must be one of dev, prod/);
    expect(attempt({ ...noRecipient, alarmTopicArn: 'not-an-arn' })).toThrow(/SNS topic ARN/);
  });

  it('sizes dev small and single-AZ, prod Multi-AZ with a non-burstable tickets database and Performance Insights', () => {
    const instances = (app: Synthesized) =>
      new Map(
        resourcesOf(templateOf(app, app.stateful), 'AWS::RDS::DBInstance').map(([, db]) => [
          db.Properties.DBInstanceIdentifier as string,
          db.Properties,
        ]),
      );
    for (const [, db] of instances(dev)) {
      expect(db).toMatchObject({ DBInstanceClass: 'db.t4g.micro', MultiAZ: false, BackupRetentionPeriod: 7 });
    }
    const prodInstances = instances(prod);
    expect(prodInstances.get('tol-tickets')).toMatchObject({
      DBInstanceClass: 'db.m7g.large',
      MultiAZ: true,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: expect.anything(),
    });
    for (const [, db] of prodInstances) expect(db.MultiAZ).toBe(true);
    const redis = (app: Synthesized) =>
      resourcesOf(templateOf(app, app.stateful), 'AWS::ElastiCache::ReplicationGroup')[0]?.[1].Properties;
    expect(redis(dev)).toMatchObject({ NumCacheClusters: 1, MultiAZEnabled: false });
    expect(redis(prod)).toMatchObject({
      NumCacheClusters: 2,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
    });
    // prod: one NAT per AZ, so losing an AZ leaves the other AZ's functions a way to AWS APIs.
    expect(resourcesOf(templateOf(dev, dev.stateful), 'AWS::EC2::NatGateway')).toHaveLength(1);
    expect(resourcesOf(templateOf(prod, prod.stateful), 'AWS::EC2::NatGateway')).toHaveLength(2);
  });
});

describe('logs kept as long as each environment needs', () => {
  it("keeps every function's, the API's and the databases' logs 14 days in dev and 90 in prod", () => {
    for (const [app, days] of [
      [dev, ENVIRONMENTS.dev.logRetentionDays],
      [prod, ENVIRONMENTS.prod.logRetentionDays],
    ] as const) {
      const env = app.stateful.node.tryGetContext('env') as string;
      for (const service of app.stateless.services.values()) {
        const template = templateOf(app, service);
        const logGroups = Object.fromEntries(resourcesOf(template, 'AWS::Logs::LogGroup'));
        const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(
          ([, fn]) => fn.Properties.LoggingConfig,
        );
        expect(functions.length, service.stackName).toBeGreaterThan(0);
        for (const [id, fn] of functions) {
          const { LogGroup } = fn.Properties.LoggingConfig as { LogGroup: { Ref: string } };
          expect(logGroups[LogGroup.Ref]?.Properties.RetentionInDays, `${env} ${id}`).toBe(days);
        }
      }
      const apiAndDatabaseLogs = [app.stage, app.stateful]
        .flatMap((stack) => resourcesOf(templateOf(app, stack), 'AWS::Logs::LogGroup'))
        .filter(([id]) => id.startsWith('AccessLogs') || id.includes('PostgresLogs'));
      expect(apiAndDatabaseLogs, env).toHaveLength(1 + app.stateful.databases.size);
      for (const [id, group] of apiAndDatabaseLogs)
        expect(group.Properties.RetentionInDays, `${env} ${id}`).toBe(days);
    }
    expect(ENVIRONMENTS.dev.logRetentionDays).toBeLessThan(ENVIRONMENTS.prod.logRetentionDays);
  });
});

describe('nothing lost in prod', () => {
  it('keeps 35 days of point-in-time recovery on every database, encrypted with a customer-managed key', () => {
    const template = templateOf(prod, prod.stateful);
    const keys = new Set(resourcesOf(template, 'AWS::KMS::Key').map(([id]) => id));
    const instances = resourcesOf(template, 'AWS::RDS::DBInstance');
    expect(instances.length).toBeGreaterThan(0);
    for (const [id, db] of instances) {
      expect(db.Properties.BackupRetentionPeriod, id).toBe(35);
      expect(db.Properties.StorageEncrypted, id).toBe(true);
      const keyRef = (db.Properties.KmsKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(keys.has(keyRef), `${id} key`).toBe(true);
      expect(db.DeletionPolicy, id).toBe('Snapshot');
    }
  });

  it('backs every database up with AWS Backup daily and copies each backup to a vault in a second region', () => {
    const template = templateOf(prod, prod.stateful);
    const [[, plan] = ['', undefined]] = resourcesOf(template, 'AWS::Backup::BackupPlan');
    const rules =
      (plan?.Properties.BackupPlan as { BackupPlanRule?: Record<string, unknown>[] } | undefined)
        ?.BackupPlanRule ?? [];
    const daily = rules.find((rule) => rule.RuleName === 'Daily');
    expect(daily).toMatchObject({ Lifecycle: { DeleteAfterDays: 35 } });
    const [copy] = (daily?.CopyActions ?? []) as { DestinationBackupVaultArn: unknown; Lifecycle: object }[];
    expect(JSON.stringify(copy?.DestinationBackupVaultArn)).toContain(':backup:us-west-2:');
    expect(copy?.Lifecycle).toEqual({ DeleteAfterDays: 35 });
    // The selection names every database instance.
    const [[, selection] = ['', undefined]] = resourcesOf(template, 'AWS::Backup::BackupSelection');
    const selected = JSON.stringify(selection?.Properties);
    for (const [id] of resourcesOf(template, 'AWS::RDS::DBInstance')) expect(selected).toContain(id);
    // The copy vault lives in its own stack in that region, deployed before the data stack.
    const copyStack = prod.backupCopy;
    expect(copyStack?.region).toBe('us-west-2');
    expect(prod.stateful.dependencies).toContain(copyStack);
    templateOf(prod, copyStack as Stack).hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'tol-backup-copy',
      EncryptionKeyArn: Match.anyValue(),
    });
    // dev relies on the automated backups alone.
    expect(dev.backupCopy).toBeUndefined();
    expect(resourcesOf(templateOf(dev, dev.stateful), 'AWS::Backup::BackupPlan')).toHaveLength(0);
  });
});

describe('sized for a flash sale in prod', () => {
  it('reserves concurrency for the purchase function and the log shipper, and none in dev', () => {
    const fns = functionsByName(prod);
    const purchase = fns.get(PURCHASE_FUNCTION)?.Properties;
    expect(purchase?.ReservedConcurrentExecutions).toBe(
      ENVIRONMENTS.prod.reservedConcurrency[PURCHASE_FUNCTION],
    );
    const shipper = [...fns.entries()].find(([name]) => name.endsWith('.shipLogs'))?.[1].Properties;
    expect(shipper?.ReservedConcurrentExecutions).toBeGreaterThan(0);
    for (const [name, fn] of functionsByName(dev))
      expect(fn.Properties.ReservedConcurrentExecutions, name).toBeUndefined();
  });

  it('keeps the connections the reserved purchase functions may hold within what the tickets proxy opens', () => {
    const purchase = functionsByName(prod).get(PURCHASE_FUNCTION)?.Properties;
    const concurrency = purchase?.ReservedConcurrentExecutions as number;
    const poolMax = Number(
      (purchase?.Environment as { Variables: Record<string, string> } | undefined)?.Variables.DB_POOL_MAX,
    );
    const proxy = proxyConnectionLimit('m7g.large');
    expect(proxy).toBeLessThan(defaultMaxConnections('m7g.large'));
    expect(concurrency * poolMax).toBeLessThanOrEqual(proxy * RESERVED_SHARE_OF_PROXY);
    // A profile that would not fit is refused at synth.
    const greedy = { ...ENVIRONMENTS.prod, reservedConcurrency: { [PURCHASE_FUNCTION]: 1000 } };
    expect(() => applySizing(prod.stateless, prod.stateful, greedy)).toThrow(
      /more than \d+ \(60 % of what its proxy opens on db.m7g.large\)/,
    );
  });
});

describe('alarms that reach someone in prod', () => {
  it('subscribes the recipient to the alarm topics and gives every alarm an action', () => {
    templateOf(prod, prod.stateful).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    templateOf(prod, prod.edge).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    let alarms = 0;
    for (const stack of [prod.stateful, prod.observability, prod.edge]) {
      for (const [id, alarm] of resourcesOf(templateOf(prod, stack), 'AWS::CloudWatch::Alarm')) {
        expect((alarm.Properties.AlarmActions as unknown[] | undefined)?.length, id).toBeGreaterThan(0);
        alarms++;
      }
    }
    expect(alarms).toBeGreaterThan(50);
  });
});

describe('queues of the real app', () => {
  it("keeps every consumer queue's visibility timeout at least six times its consumer's timeout", () => {
    const stateful = templateOf(prod, prod.stateful).toJSON() as {
      Resources: Record<string, Resource>;
      Outputs: Record<string, { Value: unknown }>;
    };
    let checked = 0;
    for (const service of prod.stateless.services.values()) {
      const template = templateOf(prod, service);
      const functions = Object.fromEntries(resourcesOf(template, 'AWS::Lambda::Function'));
      for (const [id, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
        // A weak reference to the stateful stack's output holding the queue's ARN.
        const { OutputName } = (
          mapping.Properties.EventSourceArn as { 'Fn::GetStackOutput': { OutputName: string } }
        )['Fn::GetStackOutput'];
        const arn = stateful.Outputs[OutputName]?.Value as { 'Fn::GetAtt': [string, string] };
        const queue = stateful.Resources[arn['Fn::GetAtt'][0]];
        const fn = functions[(mapping.Properties.FunctionName as { Ref: string }).Ref];
        const timeout = fn?.Properties.Timeout as number;
        expect(queue?.Properties.VisibilityTimeout as number, id).toBeGreaterThanOrEqual(6 * timeout);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('linting every template of both environments', () => {
  it.skipIf(!cfnLint)(
    'passes cfn-lint with no error and only the warnings .cfnlintrc ignores',
    { timeout: LINT_MS },
    async () => {
      expect(linted.files.length).toBeGreaterThanOrEqual(2 * 10);
      expect(await Promise.all(linted.cfnLint)).toEqual(['', '']);
    },
  );

  it.skipIf(!checkov)(
    'passes checkov, each skipped check with its reason',
    { timeout: LINT_MS },
    async () => {
      const config = readFileSync(join(REPO_ROOT, '.checkov.yaml'), 'utf8').split('\n');
      config.forEach((line, index) => {
        if (/^\s+- CKV/.test(line)) expect(config[index - 1], line).toMatch(/^\s+#/);
      });
      // Both environments' templates: a failure names its file as /dev/… or /prod/….
      expect(await linted.checkov).toEqual([]);
    },
  );
});
