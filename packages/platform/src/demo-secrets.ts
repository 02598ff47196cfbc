import type { z } from 'zod';

/**
 * Every secret the demo publishes: in the repository, the README and the local stack
 * (`npm run up`, the tests). The one list of them — the demo realm overlay
 * (infra/keycloak/tierline-realm.demo.json), infra/nats/nats.conf, infra/lib/env.mjs and the
 * provider stand-ins are checked against it (tests/security/src/no-demo-in-production.test.ts).
 * In production a service refuses to start with any of them (decision 18).
 */
export const DEMO_SECRETS: readonly string[] = Object.freeze([
  // Keycloak client secrets of the demo realm.
  ...['ticket', 'identity', 'notification', 'audit', 'worker'].map((c) => `tierline-${c}-dev-secret`),
  // NATS passwords of infra/nats/nats.conf (bcrypt hashes there).
  ...['ticket', 'identity', 'notification', 'audit', 'worker', 'ops', 'tests'].map((u) => `${u}-dev-secret`),
  // The local services' own PostgreSQL logins (infra/lib/env.mjs DEV_DB_PASSWORDS, decision 21).
  ...['ticket', 'identity', 'notification', 'audit', 'worker'].map((s) => `${s}-db-dev-secret`),
  // The local PostgreSQL password (postgres://tierline:tierline@…) and Keycloak's demo admin.
  'tierline',
  'admin',
  // The demo people's password.
  'Tierline-demo-1',
  // What the Twilio and Slack stand-ins (services/provider-stubs) accept.
  'stub-auth-token',
  'xoxb-stub-token',
  // The notification service's development key of reply-address tokens (REPLY_TOKEN_KEYS, decision 36).
  'reply-token-dev-secret',
  // The local object store's account (infra/lib/env.mjs OBJECT_STORE).
  'attachments-dev-secret',
]);

const demo = new Set(DEMO_SECRETS);

export function isDemoSecret(value: string): boolean {
  return demo.has(value.trim());
}

/** The passwords in a URL or comma-separated URLs (postgres://u:p@h/db, nats://u:p@h:4222,…). */
function urlPasswords(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    try {
      const password = new URL(part.trim()).password;
      if (password) out.push(decodeURIComponent(password));
    } catch {
      // Not a URL: its own schema names the problem.
    }
  }
  return out;
}

export interface ProductionSecrets<K extends string> {
  /** Must be set, and not to a demo value (a development default that is one counts as unset). */
  required?: readonly K[];
  /** May be unset (the credentials come from elsewhere, e.g. an instance role); when set, not a demo value. */
  optional?: readonly K[];
  /** URLs whose password must not be a demo value. */
  urls?: readonly K[];
  /** The process logs in to NATS: NATS_PASSWORD (or a password in NATS_URL) is required. */
  nats?: boolean;
}

/**
 * For a service schema's superRefine: with NODE_ENV=production, a required secret that is missing,
 * or any secret that is a known demo value, stops the process with an issue naming the variable.
 * Development and test keep their defaults.
 */
export function productionSecrets<K extends string>(spec: ProductionSecrets<K>) {
  return (env: { NODE_ENV?: string } & Partial<Record<K | 'NATS_PASSWORD' | 'NATS_URL', unknown>>, ctx: z.RefinementCtx): void => {
    if (env.NODE_ENV !== 'production') return;
    const vars = env as Record<string, unknown>;
    const demoIssue = (name: string, what: string) =>
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${what} is a published demo secret, refused in production: set this deployment's own (infra/docker/compose-secrets.mjs generates them)`,
      });
    for (const name of spec.required ?? []) {
      const value = vars[name];
      if (typeof value !== 'string' || value.trim() === '') {
        ctx.addIssue({ code: 'custom', path: [name], message: 'required in production' });
      } else if (isDemoSecret(value)) {
        demoIssue(name, 'the value (or its development default)');
      }
    }
    for (const name of spec.optional ?? []) {
      const value = vars[name];
      if (typeof value === 'string' && isDemoSecret(value)) demoIssue(name, 'the value');
    }
    for (const name of spec.urls ?? []) {
      const value = vars[name];
      if (typeof value === 'string' && urlPasswords(value).some(isDemoSecret)) demoIssue(name, 'the password in this URL');
    }
    if (spec.nats) {
      const password = vars['NATS_PASSWORD'];
      const inUrl = typeof vars['NATS_URL'] === 'string' ? urlPasswords(vars['NATS_URL']) : [];
      if (typeof password === 'string' && password !== '') {
        if (isDemoSecret(password)) demoIssue('NATS_PASSWORD', 'the value');
      } else if (inUrl.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['NATS_PASSWORD'], message: 'required in production (with NATS_USER: the process\'s own NATS user)' });
      }
      if (inUrl.some(isDemoSecret)) demoIssue('NATS_URL', 'the password in this URL');
    }
  };
}
