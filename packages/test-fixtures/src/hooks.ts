/** What vitest hands a builder fixture besides the context (test.extend(name, options, fn)). */
export interface FixtureHooks {
  /** Registers the fixture's teardown; vitest allows one call per fixture. */
  onCleanup: (cleanup: () => void | Promise<void>) => void;
}

/** Teardowns gathered in one place; `run()` runs them last first, each once. */
export interface CleanupStack extends FixtureHooks {
  run: () => Promise<void>;
}

/**
 * Teardowns of several parts under one owner: a fixture that starts several things (vitest takes
 * one `onCleanup` a fixture: `const parts = cleanupStack(); onCleanup(parts.run)`, then hand
 * `parts` to the fixture bodies it calls), or a harness that returns a `stop()`. `run` undoes
 * in the reverse order of setup, and goes on past a teardown that fails, throwing its error after.
 */
export function cleanupStack(): CleanupStack {
  const stack: (() => void | Promise<void>)[] = [];
  return {
    onCleanup: (cleanup) => void stack.unshift(cleanup),
    async run() {
      let failed: unknown;
      for (const cleanup of stack.splice(0)) {
        try {
          await cleanup();
        } catch (err) {
          failed ??= err;
        }
      }
      if (failed !== undefined) throw failed;
    },
  };
}
