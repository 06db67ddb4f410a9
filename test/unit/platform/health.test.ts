// What health makes of the states it is told rather than probes: a dependency its runtime is restarting and the
// circuits this process holds.
import { describe, expect, it } from 'vitest';
import { checkDependencies, type HealthDeps } from '../../../functions/platform/health.checks';

const up = async () => undefined;
const deps = (overrides: Partial<HealthDeps>): HealthDeps => ({
  databases: { tickets: up },
  others: {},
  timeoutMs: 1_000,
  ...overrides,
});

describe('health', () => {
  it('is ok when the runtime reports its PostgreSQL up and every circuit closed', async () => {
    const report = await checkDependencies(
      deps({ runtime: () => ({ postgres: 'up' }), breakers: () => ({ 'tickets.syncInventory': 'closed' }) }),
    );
    expect(report.status).toBe('ok');
    expect(report.dependencies.postgres).toEqual({ status: 'up' });
    expect(report.dependencies['circuit:tickets.syncInventory']).toEqual({ status: 'up', detail: 'closed' });
  });

  it('is degraded, naming what is wrong, while PostgreSQL restarts or a circuit is open', async () => {
    const report = await checkDependencies(
      deps({
        runtime: () => ({ postgres: 'restarting' }),
        breakers: () => ({ 'tickets.syncInventory': 'open', 'events.snapshot': 'half-open' }),
      }),
    );
    expect(report.status).toBe('degraded');
    expect(report.dependencies.postgres).toEqual({
      status: 'degraded',
      detail: 'restarting: the local runtime is starting it again',
    });
    expect(report.dependencies['circuit:tickets.syncInventory']?.detail).toMatch(/^open: /);
    expect(report.dependencies['circuit:events.snapshot']?.detail).toMatch(/^half-open: /);
  });

  it('is unavailable when no database answers, whatever else is reported', async () => {
    const down = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const report = await checkDependencies(
      deps({ databases: { tickets: down }, runtime: () => ({ postgres: 'restarting' }) }),
    );
    expect(report.status).toBe('unavailable');
  });
});
