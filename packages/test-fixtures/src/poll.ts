/**
 * Polls until `check` returns a value other than undefined, or fails naming what it waited for
 * (and the last error `check` threw, if it threw). The default leaves the slack of a loaded
 * 2-core CI runner (a minute): it costs nothing when the value comes, as it does in a second on
 * a quiet machine.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
