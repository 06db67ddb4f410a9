// Setup of the infra test files, which synthesize the CDK app and bundle its functions.
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../../infra-cdk/lib/settings';

// The CDK prints "Bundling asset <path>..." straight to stderr for each function it bundles, past vitest's console
// capture, a hundred lines a run. A bundling failure throws with esbuild's own message, which these lines do not add to.
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  if (text.startsWith('Bundling asset ')) return true;
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;

// NodejsFunction runs esbuild through `npx --no-install esbuild` when esbuild is a dependency of the project: about a
// second of npm start-up per function, as long as esbuild's own work, for the hundred-odd functions a synthesis bundles.
// Told that esbuild is installed on PATH instead (the same binary, node_modules/.bin first on PATH), it runs it directly:
// the same command line, the same bundles. If a CDK release renames this internal, bundling goes through npx again.
const requireFromCdk = createRequire(createRequire(import.meta.url).resolve('aws-cdk-lib'));
const { Bundling } = requireFromCdk('./aws-lambda-nodejs/lib/bundling.js') as {
  Bundling?: { esbuildInstallation?: { isWorkspacePackage: boolean; version: string } };
};
const esbuildVersion = (createRequire(import.meta.url)('esbuild/package.json') as { version: string })
  .version;
if (Bundling) Bundling.esbuildInstallation = { isWorkspacePackage: false, version: esbuildVersion };
const bin = join(REPO_ROOT, 'node_modules', '.bin');
if (!(process.env.PATH ?? '').split(delimiter).includes(bin))
  process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`;
