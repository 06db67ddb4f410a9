// Deploy-time settings read from CDK context (cdk.json or `-c key=value`), each with the default a fresh deploy uses,
// plus the repository paths the bundler needs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'constructs';
import { DEFAULT_JWT_AUDIENCE } from '../../layers/common/env-names';

/** The repository root: bundling resolves entries, the lock file and migrations from here. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const PROJECT = 'TicketOrLeaveIt';

export interface AppSettings {
  /** JWT issuer; undefined means "the API's own endpoint", which is only known at deploy time. */
  issuerUrl?: string;
  jwtAudience: string;
  mailFrom: string;
  /**
   * Browser origins besides the web app's own (CloudFront serves the app and the API on one origin, so it needs no
   * CORS): allowed by the API's CORS preflight, the functions and the media bucket's CORS rule. Default: none.
   */
  corsOrigins: string[];
  /** Where DLQ alarms are emailed; no subscription when unset. */
  alarmEmail?: string;
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

export function readSettings(node: Node): AppSettings {
  return {
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
