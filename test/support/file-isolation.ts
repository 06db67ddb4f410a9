// Setup file of the projects whose test files share a process (isolate: false in vitest.config.ts), run before each
// file: the file starts as it would in a process of its own. Packages from node_modules stay loaded (what the shared
// process saves: Node loads them once, not once per file); everything else a file could have changed is reset:
// - the environment, to what it was when the process ran its first file (platforms and tests set variables);
// - our own modules, evaluated again on import (module state such as a pool or a Redis client is the file's own);
// - timers, globals and environment variables stubbed through vi.
import { vi } from 'vitest';
import { processWide } from './process-wide';

// The first file's run records it; the process keeps it for the files after.
const atStart = processWide('env-at-start', () => ({ ...process.env }));

vi.useRealTimers();
vi.unstubAllGlobals();
vi.unstubAllEnvs();
for (const name of Object.keys(process.env)) if (!(name in atStart)) delete process.env[name];
Object.assign(process.env, atStart);
vi.resetModules();
