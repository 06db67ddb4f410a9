// Bundles one function exactly as the CDK app's NodejsFunction does, and says what the bundle is made of.
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { analyzeMetafile, type BuildOptions, build, type Metafile } from 'esbuild';
import { type LambdaFunction, ROOT } from './lambda-functions';

/**
 * The esbuild options of infra-cdk/lib/service-function.ts (NodejsFunction `bundling`), copied because that module
 * loads aws-cdk-lib and does not export them. Keep in step: a bundle built otherwise says nothing about the deployed one.
 */
export const CDK_BUNDLING = {
  bundle: true,
  format: 'esm',
  minify: true,
  // NodejsFunction's `sourceMap: true` is esbuild's `--sourcemap`: a separate .map file plus a trailing comment.
  sourcemap: true,
  target: 'node22',
  platform: 'node',
  mainFields: ['module', 'main'],
  // CommonJS dependencies (pg, ioredis) call require(), which an ESM bundle lacks without this shim.
  banner: {
    js: "import { createRequire as __tolCreateRequire } from 'node:module'; const require = __tolCreateRequire(import.meta.url);",
  },
  // The Lambda Node.js runtime ships the AWS SDK v3; pg-native is pg's optional binding, never loaded; nodemailer
  // serves the local SMTP path only (the CDK leaves it out the same way).
  external: ['@aws-sdk/*', 'pg-native', 'nodemailer'],
  // NodejsFunction runs esbuild from the project root, which is also where tsconfig.json is found.
  absWorkingDir: ROOT,
} as const satisfies BuildOptions;

export interface Contributor {
  /** An npm package, or a project folder such as `layers/common`. */
  source: string;
  bytes: number;
}

export interface BundleResult {
  /** Bytes of index.mjs alone; the source map is deployed beside it but never loaded unless asked for. */
  bytes: number;
  file: string;
  analysisFile: string;
  topContributors: Contributor[];
}

const TOP_CONTRIBUTORS = 8;

/** Bundles into `<outDir>/index.mjs`. outDir must sit under the repo so `@aws-sdk/*` resolves from its node_modules. */
export async function bundleFunction(fn: LambdaFunction, outDir: string): Promise<BundleResult> {
  if (!existsSync(fn.entry)) throw new Error(`handler file ${relative(ROOT, fn.entry)} does not exist`);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'index.mjs');
  const result = await build({
    ...CDK_BUNDLING,
    entryPoints: [fn.entry],
    outfile: file,
    metafile: true,
    write: true,
    logLevel: 'silent',
  });
  const analysisFile = join(outDir, 'analysis.txt');
  await writeFile(analysisFile, await analyzeMetafile(result.metafile));
  return {
    bytes: (await stat(file)).size,
    file,
    analysisFile,
    topContributors: contributors(result.metafile, relative(ROOT, file)),
  };
}

/** Bytes in the output per npm package (or project folder), largest first. */
function contributors(metafile: Metafile, outputPath: string): Contributor[] {
  const output = metafile.outputs[outputPath];
  if (!output) throw new Error(`esbuild metafile has no output ${outputPath}`);
  const bySource = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const source = sourceOf(path);
    bySource.set(source, (bySource.get(source) ?? 0) + input.bytesInOutput);
  }
  return [...bySource]
    .map(([source, bytes]) => ({ source, bytes }))
    .filter((entry) => entry.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, TOP_CONTRIBUTORS);
}

function sourceOf(path: string): string {
  // The last node_modules segment wins, so a nested copy is charged to the package that is actually bundled twice.
  const packages = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  const last = packages.at(-1);
  if (last?.[1]) return last[1];
  const parts = path.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : path;
}
