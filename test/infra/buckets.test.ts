// The media bucket's lifecycle on its own (no app synthesis): a data export, personal data, does not outlive the days
// it is offered, neither as the current object nor as an old version of the versioned bucket; a deleted profile
// picture's old version goes after a day.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, it, vi } from 'vitest';
import { EXPORT_KEEP_DAYS } from '../../events/contracts/privacy';
import { REPO_ROOT } from '../../infra-cdk/lib/settings';
import { Buckets } from '../../infra-cdk/lib/stateful/buckets';

// Template.fromStack synthesizes the app, with the CDK's own template validation unless switched off: ten seconds of
// starting its engine for a report this test does not read (app.test.ts asserts that report for the whole app).
vi.stubEnv('CDK_VALIDATION', 'false');
afterAll(() => vi.unstubAllEnvs());

// The feature flags of cdk.json, as the real app gets them (server access logs need the bucket-policy one).
const { context } = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8'));

describe('the media bucket', () => {
  it('expires data exports a day after they stop being offered, and old versions of exports and pictures after a day', () => {
    const stack = new Stack(new App({ context }), 'Stateful');
    new Buckets(stack, 'Buckets', { corsOrigins: [] });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'exports/',
            Status: 'Enabled',
            ExpirationInDays: EXPORT_KEEP_DAYS + 1,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
          Match.objectLike({
            Prefix: 'users/',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ]),
      },
    });
  });
});
