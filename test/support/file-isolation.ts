// Setup file of the projects whose test files share processes (isolate: false in vitest.config.ts), run before each
// file. What a file gets anew, as in a process of its own:
// - our own modules, evaluated again on import (module state such as a pool or a Redis client is the file's own);
// - the environment variables, as they were when the process ran its first file (platforms and tests set some);
// - real timers, and no globals or variables stubbed through vi (vitest itself restores spies after each file).
// What it does not get anew: packages from node_modules (loaded once per process, which is the point) and their state,
// and anything an earlier file left running (a platform whose afterAll failed): the platform's stop closes what its
// functions opened (local/platform.ts), and a failure in an earlier file is reported with that file.
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
