// A pool on one of a test platform's databases, for reading what its functions stored.
import pg from 'pg';

/**
 * pg's `Pool.end()` resolves before its connections have closed, so a platform stopped right after it can shut
 * PostgreSQL down under them (as can a test that restarts PostgreSQL): an idle connection then fails, the pool drops
 * it and emits 'error', which without a listener is thrown as an uncaught exception, failing the run after every test
 * passed. Queries still reject with their own errors; an idle connection lost before the pool ends is logged, which
 * vitest shows only with a failing test.
 */
export function databasePool(connectionString: string | undefined, max = 2): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', (error) => {
    if (!pool.ending) console.warn(`a test pool's idle connection failed: ${error.message}`);
  });
  return pool;
}
