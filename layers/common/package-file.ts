// The run-time side of RouteSpec.files: a package file copied next to the Lambda bundle under its base name, or, in
// the local runtime and tests, the installed copy in node_modules.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of a declared package file, e.g. `packageFile('redoc/bundles/redoc.standalone.js', import.meta.url)`. */
export function packageFile(specifier: string, moduleUrl: string): string {
  const bundled = join(dirname(fileURLToPath(moduleUrl)), basename(specifier));
  return existsSync(bundled) ? bundled : createRequire(moduleUrl).resolve(specifier);
}
