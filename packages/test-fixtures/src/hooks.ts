/** What vitest hands a builder fixture besides the context (test.extend(name, options, fn)). */
export interface FixtureHooks {
  /** Registers the fixture's teardown; vitest allows one call per fixture. */
  onCleanup: (cleanup: () => void | Promise<void>) => void;
}
