// A clock a test moves by hand, for the `now: () => Date` that services take in their deps.
export interface TestClock {
  now(): Date;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  set(at: Date | string): void;
}

export function testClock(start: Date | string = '2026-06-01T12:00:00Z'): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (at) => {
      current = new Date(at).getTime();
    },
  };
}
