import { DEMO_PASSWORD, loginAs } from '@tierline/testing';

/**
 * A demo user's access token from Keycloak's real login. Keycloak refuses some of several
 * simultaneous logins of the same user (test files run in parallel, and other packages' tests
 * log the same demo users in), so a refused login is retried a few times after a short,
 * jittered pause.
 */
export async function demoToken(username: string): Promise<string> {
  let last: unknown;
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      return (await loginAs(username, DEMO_PASSWORD)).access_token;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 400 * (attempt + 1)));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/** The subject (user id) a token was issued to. */
export function subjectOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
}

/**
 * Logs the named demo users in at once and returns their tokens by the given keys:
 * `await demoTokens({ lee: 'lee.lead', nora: 'nora.nurse' })` → `{ lee: '…', nora: '…' }`.
 */
export async function demoTokens<K extends string>(users: Record<K, string>): Promise<Record<K, string>> {
  const entries = await Promise.all(Object.entries<string>(users).map(async ([key, username]) => [key, await demoToken(username)] as const));
  return Object.fromEntries(entries) as Record<K, string>;
}
