// Waiting in tests: for a condition or an event, never for a fixed time. A deadline only turns a
// hang into a failure that names what never happened; it is never the thing under test, so it is
// generous (well past anything a loaded machine takes) and no test asserts how long a wait took.

/** The default deadline of `until`: a hang reported before the test runner's own timeout. */
export const WAIT_DEADLINE_MS = 20_000;

export interface UntilOptions {
  /** Give up after this long (default WAIT_DEADLINE_MS). */
  timeoutMs?: number;
  /** Look again this often (default 5 ms; a check that sends a request wants more). */
  everyMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/**
 * Resolves with the first truthy value `check` returns (or resolves to), looking again every
 * `everyMs`; rejects with "gave up waiting for <what>" once the deadline passes.
 */
export async function until<T>(check: () => T | Promise<T>, what: string, options: UntilOptions = {}): Promise<Truthy<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? WAIT_DEADLINE_MS);
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(options.everyMs ?? 5);
  }
}

/**
 * Waits `ms`. Only for pacing what a scenario does (a fault run's outages, a benchmark's load);
 * a test that needs something to have happened waits for it with `until`.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` has settled by now (after letting already-queued callbacks run), without waiting for it. */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  return done;
}
