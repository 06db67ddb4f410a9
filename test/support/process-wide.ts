// A value made once per process and kept across the test files that share it (isolate: false): vitest imports setup
// files again before each file and our modules are evaluated anew (file-isolation.ts), but globalThis is the
// process's.

/** The value kept under `name` in this process, made by `make` the first time it is asked for. */
export function processWide<T>(name: string, make: () => T): T {
  const key = Symbol.for(`ticketorleaveit.test.${name}`);
  const store = globalThis as unknown as Record<symbol, { value: T } | undefined>;
  const kept = store[key] ?? { value: make() };
  store[key] = kept;
  return kept.value;
}
