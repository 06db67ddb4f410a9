// Flash-sale sizing applied across stacks once every function exists: the profile's reserved concurrency, a pool size
// that makes the connections such a function can hold computable, and a synth-time check that those connections fit
// in what each database's RDS Proxy may open (so a sale at full concurrency queues at the proxy, never at PostgreSQL).
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENV } from '../../layers/common/env-names';
import { defaultMaxConnections, type EnvironmentProfile } from './environments';
import type { ServiceFunction } from './service-function';
import { PROXY_MAX_CONNECTIONS_PERCENT } from './stateful/service-database';
import type { StatefulStack } from './stateful-stack';
import type { StatelessStack } from './stateless-stack';

/**
 * Share of a proxy's connections the reserved functions may fill; the rest stays for every other function of the
 * service (reads, consumers, the migrate function) during the same burst.
 */
export const RESERVED_SHARE_OF_PROXY = 0.6;

export interface ReservedFunction {
  key: string;
  fn: ServiceFunction;
  concurrency: number;
}

/** Finds the profile's reserved functions by `<service>.<name>`, whatever their kind; an unknown name fails synth. */
export function reservedFunctions(
  stateless: StatelessStack,
  profile: EnvironmentProfile,
): ReservedFunction[] {
  return Object.entries(profile.reservedConcurrency).map(([key, concurrency]) => {
    const found = [...stateless.functions].find(([mapKey]) => mapKey.split(':')[1] === key);
    if (!found)
      throw new Error(`env=${profile.name} reserves concurrency for ${key}, which no manifest declares`);
    return { key, fn: found[1], concurrency };
  });
}

/** How many connections a proxy opens to its database at most. */
export function proxyConnectionLimit(instanceClass: string): number {
  return Math.floor((defaultMaxConnections(instanceClass) * PROXY_MAX_CONNECTIONS_PERCENT) / 100);
}

export function applySizing(
  stateless: StatelessStack,
  stateful: StatefulStack,
  profile: EnvironmentProfile,
): void {
  const reserved = reservedFunctions(stateless, profile);
  const demand = new Map<string, { connections: number; from: string[] }>();
  for (const { key, fn, concurrency } of reserved) {
    (fn.fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = concurrency;
    fn.fn.addEnvironment(ENV.dbPoolMax, String(profile.reservedPoolMax));
    for (const service of fn.databases) {
      const entry = demand.get(service) ?? { connections: 0, from: [] };
      entry.connections += concurrency * profile.reservedPoolMax;
      entry.from.push(`${key} (${concurrency} x ${profile.reservedPoolMax})`);
      demand.set(service, entry);
    }
  }
  for (const [service, { connections, from }] of demand) {
    const database = stateful.databases.get(service as never);
    if (!database) continue;
    const budget = Math.floor(proxyConnectionLimit(database.instanceClass) * RESERVED_SHARE_OF_PROXY);
    if (connections > budget) {
      throw new Error(
        `env=${profile.name}: ${from.join(' + ')} may hold ${connections} connections to the ${service} database, ` +
          `more than ${budget} (${RESERVED_SHARE_OF_PROXY * 100} % of what its proxy opens on db.${database.instanceClass})`,
      );
    }
  }
}
