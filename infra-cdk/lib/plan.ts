// Turns the manifests into the list of functions to deploy, and rejects at synth time every cross-reference a
// deploy would only discover later (unknown topic, queue, database or internal function; duplicate route keys or
// rule names; colliding env names; internal functions, or services through them, invoking each other in a cycle).
import { envKey } from '../../layers/common/config';
import { functionNameEnv, queueUrlEnv, topicArnEnv } from '../../layers/common/env-names';
import { type FunctionKind, functionLimits } from '../../layers/common/function-defaults';
import type { Binds, RouteSpec, ServiceManifest, ServiceName } from '../../layers/common/manifest';
import { messagingResources } from '../../layers/common/resources';

/** The name a manifest's log shipper has in plans, tags (`tol:log-shipper` = `<service>.shipLogs`) and construct ids. */
export const LOG_SHIPPER_NAME = 'shipLogs';

/** A consumer queue's visibility timeout is at least this many times its function's timeout. */
export const CONSUMER_VISIBILITY_FACTOR = 6;

/** EventBridge rule names: 1-64 of letters, digits, `.`, `-` and `_`. */
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** One Lambda function a manifest entry asks for. */
export interface FunctionPlan {
  service: ServiceName;
  /** The entry's key in its manifest (routes, consumers, schedules or functions). */
  name: string;
  kind: FunctionKind;
  /** Handler file relative to the service folder. */
  handler: string;
  summary: string;
  binds: Binds;
  memoryMb: number;
  timeoutSeconds: number;
  /** Package files copied into the bundle (routes only, see RouteSpec.files). */
  files: string[];
}

export function functionPlans(manifest: ServiceManifest): FunctionPlan[] {
  const base = (name: string, kind: FunctionKind, entry: EntryLike): FunctionPlan => ({
    service: manifest.service,
    name,
    kind,
    handler: entry.handler,
    summary: entry.summary,
    binds: entry.binds ?? {},
    files: entry.files ?? [],
    ...functionLimits(kind, entry),
  });
  return [
    ...Object.entries(manifest.routes).map(([name, route]) => base(name, 'route', route)),
    ...Object.entries(manifest.consumers ?? {}).map(([name, consumer]) => base(name, 'consumer', consumer)),
    ...Object.entries(manifest.schedules ?? {}).map(([name, schedule]) => base(name, 'schedule', schedule)),
    ...Object.entries(manifest.functions ?? {}).map(([name, fn]) => base(name, 'internal', fn)),
    ...(manifest.logShipper ? [base(LOG_SHIPPER_NAME, 'log-shipper', manifest.logShipper)] : []),
  ];
}

interface EntryLike {
  handler: string;
  summary: string;
  binds?: Binds;
  files?: string[];
  memoryMb?: number;
  timeoutSeconds?: number;
}

/** API Gateway's route key of a manifest route. */
export function routeKeyOf(route: RouteSpec): string {
  return route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
}

const UUID_SAMPLE = '0b8f7c52-3f1e-4a8e-9a51-6c1f2d3e4b5a';
/** What the edge's UUID-shaped pattern also matches: a parameter schema must refuse it. */
const UUID_SHAPED = 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz';

/**
 * Why a route may not be kept by the edge: only anonymous GETs can share one copy among viewers, CloudFront counts
 * whole seconds, and the edge's path pattern (edgePathPattern) matches UUID parameters only, so the route's own
 * parameter schema must accept exactly those.
 */
function edgeCacheProblem(route: RouteSpec): string | undefined {
  const seconds = route.edgeCacheSeconds ?? 0;
  if (route.method !== 'GET' || route.auth) return 'only anonymous GET routes can be cached at the edge';
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60)
    return 'edgeCacheSeconds must be 1-60 whole seconds';
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const params = route.request?.params;
  if (names.length === 0) return undefined;
  const all = (value: string) => Object.fromEntries(names.map((name) => [name, value]));
  if (
    !params?.safeParse(all(UUID_SAMPLE)).success ||
    names.some((name) => params.safeParse({ ...all(UUID_SAMPLE), [name]: UUID_SHAPED }).success)
  )
    return 'an edge-cached route takes UUID path parameters only (the edge matches paths by their shape)';
  return undefined;
}

/** Throws one error listing every problem, so a broken manifest is fixed in one pass. */
export function validateManifests(manifests: readonly ServiceManifest[]): void {
  const problems: string[] = [];
  const services = manifests.map((manifest) => manifest.service);
  const duplicateService = services.find((service, index) => services.indexOf(service) !== index);
  if (duplicateService) problems.push(`service ${duplicateService} has two manifests`);

  let messaging: ReturnType<typeof messagingResources> | undefined;
  try {
    messaging = messagingResources(manifests);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const topics = new Set(messaging?.topics.map((topic) => topic.name));
  const queues = new Set(messaging?.queues.map((queue) => queue.name));
  const databases = new Set(
    manifests.filter((manifest) => manifest.database).map((manifest) => manifest.service),
  );
  const internalFunctions = new Set(
    manifests.flatMap((manifest) =>
      Object.keys(manifest.functions ?? {}).map((name) => `${manifest.service}.${name}`),
    ),
  );

  // Env names are derived with envKey, which folds case and punctuation: `a-b` and `a_b` would share one variable.
  const collisions = (names: Iterable<string>, toEnv: (name: string) => string, what: string) => {
    const seen = new Map<string, string>();
    for (const name of names) {
      const key = toEnv(name);
      const other = seen.get(key);
      if (other !== undefined && other !== name)
        problems.push(`${what} ${other} and ${name} both map to ${key}`);
      seen.set(key, name);
    }
  };
  collisions(topics, topicArnEnv, 'topics');
  collisions(queues, queueUrlEnv, 'queues');
  collisions(services, (service) => envKey(service), 'services');
  collisions(internalFunctions, functionNameEnv, 'internal functions');

  const shippers = manifests.filter((manifest) => manifest.logShipper);
  if (shippers.length > 1) {
    problems.push(`only one log shipper may be declared, found ${shippers.map((m) => m.service).join(', ')}`);
  }
  for (const manifest of shippers) {
    const dlq = manifest.logShipper?.deadLetterQueue ?? '';
    if (queues.has(dlq) || topics.has(dlq)) {
      problems.push(
        `${manifest.service} log shipper: dead-letter queue ${dlq} is also a topic or consumer queue`,
      );
    }
  }

  const routeKeys = new Map<string, string>();
  const ruleNames = new Map<string, string>();
  /** Internal function -> the internal functions it invokes, to find cycles. */
  const invokeGraph = new Map<string, string[]>();
  /** Service -> the other services whose internal functions it invokes (its stack depends on theirs), with a witness. */
  const serviceGraph = new Map<string, Map<string, string>>();
  for (const manifest of manifests) {
    for (const [name, route] of Object.entries(manifest.routes)) {
      const key = routeKeyOf(route);
      const owner = routeKeys.get(key);
      if (owner) problems.push(`route key "${key}" is declared by ${owner} and ${manifest.service}.${name}`);
      routeKeys.set(key, `${manifest.service}.${name}`);
      if (route.path === '$default' && route.auth) {
        // The catch-all answers unknown routes with a 404; behind the authorizer every typo would become a 401.
        problems.push(`${manifest.service}.${name}: the $default route cannot require auth`);
      }
      if (route.path !== '$default' && !route.path.startsWith('/')) {
        problems.push(`${manifest.service}.${name}: path ${route.path} must start with /`);
      }
      if (route.edgeCacheSeconds !== undefined) {
        const problem = edgeCacheProblem(route);
        if (problem) problems.push(`${manifest.service}.${name}: ${problem}`);
      }
    }
    for (const [name, consumer] of Object.entries(manifest.consumers ?? {})) {
      const timeout = functionLimits('consumer', consumer).timeoutSeconds;
      if (
        consumer.visibilityTimeoutSeconds !== undefined &&
        consumer.visibilityTimeoutSeconds < CONSUMER_VISIBILITY_FACTOR * timeout
      ) {
        // AWS's rule for Lambda event sources: a batch that was throttled or retried inside the poller must not
        // reappear to another poller while the first attempt may still run (below 1x Lambda refuses the source).
        problems.push(
          `${manifest.service}.${name}: visibility timeout ${consumer.visibilityTimeoutSeconds} s is under ` +
            `${CONSUMER_VISIBILITY_FACTOR} x the function timeout (${timeout} s)`,
        );
      }
    }
    for (const schedule of Object.values(manifest.schedules ?? {})) {
      if (!/^(rate|cron)\(.+\)$/.test(schedule.expression)) {
        problems.push(
          `${manifest.service} schedule ${schedule.name}: "${schedule.expression}" is not rate(...) or cron(...)`,
        );
      }
      // The name becomes the EventBridge rule name, which is unique per account, region and event bus.
      if (!RULE_NAME.test(schedule.name)) {
        problems.push(
          `${manifest.service} schedule ${schedule.name}: a rule name is 1-64 letters, digits, ".", "-" or "_"`,
        );
      }
      const owner = ruleNames.get(schedule.name);
      if (owner) problems.push(`schedule name ${schedule.name} is used by ${owner} and ${manifest.service}`);
      ruleNames.set(schedule.name, manifest.service);
    }
    for (const plan of functionPlans(manifest)) {
      const where = `${plan.service}.${plan.name}`;
      const { binds } = plan;
      if (binds.database && !manifest.database)
        problems.push(`${where} binds a database but ${plan.service} has none`);
      for (const service of binds.pingDatabases ?? []) {
        if (!databases.has(service))
          problems.push(`${where} pings the database of ${service}, which has none`);
      }
      for (const topic of binds.publishes ?? []) {
        if (!topics.has(topic)) problems.push(`${where} publishes to unknown topic ${topic}`);
      }
      for (const queue of binds.sends ?? []) {
        if (!queues.has(queue)) problems.push(`${where} sends to unknown queue ${queue}`);
      }
      for (const target of binds.invokes ?? []) {
        if (!internalFunctions.has(target))
          problems.push(`${where} invokes unknown internal function ${target}`);
        const targetService = target.split('.')[0] ?? '';
        if (internalFunctions.has(target) && targetService !== plan.service) {
          const edges = serviceGraph.get(plan.service) ?? new Map<string, string>();
          if (!edges.has(targetService)) edges.set(targetService, `${where} invokes ${target}`);
          serviceGraph.set(plan.service, edges);
        }
      }
      if (plan.kind === 'internal') invokeGraph.set(where, binds.invokes ?? []);
      if (plan.timeoutSeconds < 1 || plan.timeoutSeconds > 900)
        problems.push(`${where}: timeout must be 1-900 s`);
      if (plan.kind === 'route' && plan.timeoutSeconds > 30) {
        problems.push(
          `${where}: an HTTP API waits at most 30 s for its integration, got ${plan.timeoutSeconds}`,
        );
      }
    }
  }
  const cycle = findCycle(invokeGraph);
  if (cycle) {
    // Each caller's env and policy reference its target's name and ARN: CloudFormation cannot create a cycle.
    problems.push(`internal functions invoke each other in a cycle: ${cycle.join(' -> ')}`);
  }
  const serviceCycle = findCycle(
    new Map([...serviceGraph].map(([service, edges]) => [service, [...edges.keys()]])),
  );
  if (serviceCycle) {
    // Each service deploys as its own stack, and a caller's stack references (so depends on) its target's stack.
    const because = serviceCycle
      .slice(1)
      .map((to, index) => serviceGraph.get(serviceCycle[index] ?? '')?.get(to))
      .join(', ');
    problems.push(
      `services invoke each other's internal functions in a cycle: ${serviceCycle.join(' -> ')} (${because}); ` +
        "each service's stack would have to deploy before the other's: let one direction go through a topic " +
        'or move the functions into one service',
    );
  }
  if (problems.length > 0) throw new Error(`Invalid service manifests:\n- ${problems.join('\n- ')}`);
}

/** One cycle of the graph (first node repeated at the end), or undefined. Only internal functions can be targets. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    const index = path.indexOf(node);
    if (index >= 0) return [...path.slice(index), node];
    if (done.has(node)) return undefined;
    for (const next of graph.get(node) ?? []) {
      const found = visit(next, [...path, node]);
      if (found) return found;
    }
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node, []);
    if (found) return found;
  }
  return undefined;
}

/** True when the function needs a network path into the VPC (database through RDS Proxy, Redis, OpenSearch). */
export function needsVpc(binds: Binds): boolean {
  return Boolean(binds.database || (binds.pingDatabases?.length ?? 0) > 0 || binds.redis || binds.logSearch);
}
