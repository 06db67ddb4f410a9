// Deploy-time settings read from CDK context (cdk.json or `-c key=value`), each with the default a fresh deploy uses,
// plus the repository paths the bundler needs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'constructs';
import { DEFAULT_JWT_AUDIENCE } from '../../layers/common/env-names';
import {
  ENVIRONMENT_NAMES,
  ENVIRONMENTS,
  type EnvironmentName,
  type EnvironmentProfile,
} from './environments';

/** The repository root: bundling resolves entries, the lock file and migrations from here. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const PROJECT = 'TicketOrLeaveIt';

export interface AppSettings {
  /** `-c env=dev|prod` (default dev): sizes, redundancy, retention (environments.ts). */
  environment: EnvironmentProfile;
  /** JWT issuer; undefined means "the API's own endpoint", which is only known at deploy time. */
  issuerUrl?: string;
  jwtAudience: string;
  mailFrom: string;
  /**
   * Browser origins besides the web app's own (CloudFront serves the app and the API on one origin, so it needs no
   * CORS): allowed by the API's CORS preflight, the functions and the media bucket's CORS rule. Default: none.
   */
  corsOrigins: string[];
  /** Where alarms are emailed; with alarmTopicArn, at least one is required in prod. */
  alarmEmail?: string;
  /** An existing SNS topic (a pager, chat bridge) that receives every alarm too. */
  alarmTopicArn?: string;
  /** The second region AWS Backup copies prod's database backups to (`-c backupCopyRegion=eu-west-1`). */
  backupCopyRegion: string;
  /** Days the retention job keeps the daily log indices in OpenSearch (`-c logRetentionDays=30`). */
  logRetentionDays: number;
}

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`Context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Where backups are copied unless `-c backupCopyRegion=` names another region. */
export const DEFAULT_BACKUP_COPY_REGION = 'us-west-2';

export function readSettings(node: Node): AppSettings {
  const envName = text(node, 'env') ?? 'dev';
  if (!ENVIRONMENT_NAMES.includes(envName as EnvironmentName))
    throw new Error(`Context env must be one of ${ENVIRONMENT_NAMES.join(', ')}, got ${envName}`);
  const environment = ENVIRONMENTS[envName as EnvironmentName];
  const alarmTopicArn = text(node, 'alarmTopicArn');
  if (alarmTopicArn && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(alarmTopicArn))
    throw new Error(`Context alarmTopicArn must be an SNS topic ARN, got ${alarmTopicArn}`);
  const settings: AppSettings = {
    environment,
    alarmTopicArn,
    backupCopyRegion: text(node, 'backupCopyRegion') ?? DEFAULT_BACKUP_COPY_REGION,
    issuerUrl: text(node, 'issuerUrl'),
    jwtAudience: text(node, 'jwtAudience') ?? DEFAULT_JWT_AUDIENCE,
    mailFrom: text(node, 'mailFrom') ?? 'no-reply@ticketorleaveit.com',
    corsOrigins: (text(node, 'corsOrigins') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    alarmEmail: text(node, 'alarmEmail'),
    logRetentionDays: positiveInteger(node, 'logRetentionDays') ?? 30,
  };
  const missing: string[] = [];
  if (environment.requiresAlarmRecipient && !settings.alarmEmail && !settings.alarmTopicArn)
    missing.push('an alarm recipient (-c alarmEmail=ops@example.com or -c alarmTopicArn=arn:aws:sns:...)');
  if (environment.requiresIssuerUrl && !settings.issuerUrl)
    missing.push('a stable JWT issuer on a custom domain (-c issuerUrl=https://api.example.com)');
  if (missing.length > 0)
    throw new Error(`env=${environment.name} needs ${missing.join(' and ')}; see README "Deploying"`);
  return settings;
}

function positiveInteger(node: Node, key: string): number | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1)
    throw new Error(`Context ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  return number;
}

/** A construct id from a manifest name: `purchase-confirmations` -> `PurchaseConfirmations`. */
export function pascal(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');
}
