// Builds the web app (web/dist) once, before any browser or `npm run dev` journey starts. Each test file building it
// for itself raced: vite empties web/dist before writing it, so a page opened by one file while another was building
// found its scripts gone (a fresh clone builds; a checkout with a fresh web/dist skips this in a few ms).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebAppBuilt } from '../../local/web-app';

const WEB_DIR = join(fileURLToPath(new URL('../..', import.meta.url)), 'web');

export default async function setup() {
  // One build per vitest process, even when several projects list this setup (globalThis outlives module instances).
  const shared = globalThis as { webAppBuilt?: Promise<void> };
  shared.webAppBuilt ??= ensureWebAppBuilt(WEB_DIR, () => undefined);
  await shared.webAppBuilt;
}
