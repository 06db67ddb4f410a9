// What the runtime hosting the functions knows about a dependency and the functions cannot see for themselves: the
// local runtime supervises its PostgreSQL and says when it is restarting it, which a failed query alone cannot tell.
// Nothing reports here on AWS, where RDS keeps its own event log.
const reporters = new Map<string, () => string>();

/** Registers where a dependency's state is read (e.g. 'postgres' → 'up' | 'restarting'). */
export function reportRuntimeState(dependency: string, state: () => string): void {
  reporters.set(dependency, state);
}

export function runtimeStates(): Record<string, string> {
  return Object.fromEntries([...reporters].map(([dependency, state]) => [dependency, state()]));
}
