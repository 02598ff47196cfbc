import { z } from 'zod';

/**
 * Parses a service's environment once at start-up. A bad or missing variable stops the
 * process with one message naming every offending variable, instead of failing later.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** TRUSTED_PROXY_HOPS: a whole number of proxies, 0 (the default) when none is trusted. */
export const trustedProxyHops = z.coerce.number().int('must be a whole number of proxies').min(0, 'must be 0 or more').max(10, 'must be at most 10').default(0);

/** Variables every Tierline process shares. Services extend this with their own. */
export const baseEnvSchema = z.object({
  // Deployment name shown in logs and health output.
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // pino level; "silent" keeps test output readable.
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // How many reverse proxies in front of this process append to X-Forwarded-For (Caddy, the
  // portal); 0 trusts no header and takes the socket's address. Read by clientAddress (rate-limit.ts).
  TRUSTED_PROXY_HOPS: trustedProxyHops,
});

/** postgres://… of the service's own database (schema chosen by the service). */
export const databaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
  .describe('PostgreSQL connection URL');

/** One or more comma-separated nats:// servers of the JetStream cluster. */
export const natsUrl = z
  .string()
  .regex(/^(nats|tls):\/\/[^,]+(,(nats|tls):\/\/[^,]+)*$/, 'must be nats://host:port, comma-separated for a cluster');

/**
 * The NATS user a process logs in as (infra/nats/nats.conf): its permissions allow only that
 * process's own subjects. Unset: the user in NATS_URL if any, else none (refused by the server).
 */
export const natsUser = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a NATS user name (letters, digits, "_", "-")')
  .optional();

/** That user's password (the server holds only its bcrypt hash). */
export const natsPassword = z.string().min(1).optional();

/** For a service schema's superRefine: a NATS_USER without its NATS_PASSWORD is named at start-up. */
export function checkNatsCredentials(env: { NATS_USER?: string | undefined; NATS_PASSWORD?: string | undefined }, ctx: z.RefinementCtx): void {
  if (env.NATS_USER !== undefined && env.NATS_PASSWORD === undefined) {
    ctx.addIssue({ code: 'custom', path: ['NATS_PASSWORD'], message: `required with NATS_USER (${env.NATS_USER})` });
  }
}

export const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

export const port = z.coerce.number().int().min(0).max(65535);
