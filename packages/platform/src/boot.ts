import type { z } from 'zod';
import { createTokenVerifier, type TokenVerifier } from './auth.js';
import { createSql, migrate, type Sql } from './db.js';
import { parseEnv } from './env.js';
import { listen, onShutdown } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { connectNats, ensureStreams, type JetStreamClient, type NatsConnection } from './nats.js';
import { createRevocationWatcher, type RevocationWatcher } from './revocation.js';
import { initTracing, type Tracing } from './tracing.js';

/** The variables every service's environment schema yields (after its transform). */
export interface ServiceEnv {
  LOG_LEVEL: string;
  PORT: number;
  HOST: string;
  DATABASE_URL: string;
  DATABASE_POOL_MAX?: number;
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  KEYCLOAK_ISSUER: string;
  JWKS_URL: string;
  TOKEN_AUDIENCE: string;
}

/** What every service has once booted, handed to its `start`. */
export interface ServiceCore<E extends ServiceEnv> {
  env: E;
  logger: Logger;
  tracing: Tracing;
  sql: Sql;
  nc: NatsConnection;
  /** JetStream on `nc`, the streams declared (ensureStreams). */
  js: JetStreamClient;
  /** Loaded (its `ready` resolved) before `start` is called. */
  revoked: RevocationWatcher;
  /** Checks issuer, audience, signature and the revocation view. */
  verifyToken: TokenVerifier;
}

/** What a service adds: its HTTP app, how to stop its own loops, fields for the "listening" line. */
export interface ServiceParts {
  app: { fetch: (req: Request) => Response | Promise<Response> };
  stop?: () => Promise<void> | void;
  listening?: Record<string, unknown>;
}

export interface BootOptions<S extends z.ZodType<ServiceEnv>> {
  /** ticket, identity, …: the logger's and tracer's name, the schema, the NATS client `tierline-<name>`. */
  name: string;
  envSchema: S;
  /**
   * `migrations`: the service's pool on its own schema (`name`), migrated from that folder.
   * `open`: a service that opens and checks its database itself (audit: separate logins).
   */
  database: { migrations: string } | { open: (env: z.infer<S>, logger: Logger) => Promise<Sql> };
  start: (core: ServiceCore<z.infer<S>>) => Promise<ServiceParts>;
  /** The environment to parse; process.env by default. */
  envSource?: NodeJS.ProcessEnv;
  /** Stop and exit on SIGTERM/SIGINT (the default); tests turn it off and call `stop`. */
  handleSignals?: boolean;
}

export interface BootedService<E extends ServiceEnv> {
  core: ServiceCore<E>;
  port: number;
  stop: () => Promise<void>;
}

/**
 * The one start-up sequence of the four services (docs/decisions/0026): environment, logger,
 * tracing, database (migrated), NATS and the streams, the revocation view LOADED, the token
 * verifier that consults it, the service's own parts, and only then listen. Nothing is served
 * before the list of disabled accounts is known (docs/decisions/0020).
 *
 * Shutdown runs in a fixed order: the revocation view first (any request still open, a live
 * event stream included, is then refused with 503 and ends, so the server can close), the
 * server, the service's own loops, NATS (drained), the database pool, tracing. A start that
 * fails part-way closes what it had opened and rethrows.
 */
export async function bootService<S extends z.ZodType<ServiceEnv>>(opts: BootOptions<S>): Promise<BootedService<z.infer<S>>> {
  type E = z.infer<S>;
  const env: E = parseEnv(opts.envSchema, opts.envSource);
  const logger = createLogger(opts.name, env.LOG_LEVEL);
  // Spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (docs/observability.md); off without one.
  const tracing = initTracing(opts.name);

  let sql: Sql | undefined;
  let nc: NatsConnection | undefined;
  let revoked: RevocationWatcher | undefined;
  let parts: ServiceParts | undefined;
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await revoked?.stop();
      await server?.close();
      await parts?.stop?.();
      await nc?.drain();
      await sql?.end({ timeout: 5 });
      await tracing.shutdown();
    })());

  try {
    if ('open' in opts.database) {
      sql = await opts.database.open(env, logger);
    } else {
      sql = createSql(env.DATABASE_URL, opts.name, env.DATABASE_POOL_MAX);
      await migrate(sql, { schema: opts.name, dir: opts.database.migrations, logger });
    }
    nc = await connectNats(env.NATS_URL, `tierline-${opts.name}`, logger, { user: env.NATS_USER, password: env.NATS_PASSWORD });
    const js = (await ensureStreams(nc)).jetstream();
    // Tokens of accounts disabled in the identity service are refused at once, not at expiry; nothing
    // is served before the list is loaded (a request before or while it cannot be checked gets 503).
    revoked = await createRevocationWatcher(nc, logger);
    await revoked.ready;
    const verifyToken = createTokenVerifier({ issuer: env.KEYCLOAK_ISSUER, jwksUrl: env.JWKS_URL, audience: env.TOKEN_AUDIENCE, isRevoked: revoked.isRevoked });
    const core: ServiceCore<E> = { env, logger, tracing, sql, nc, js, revoked, verifyToken };
    parts = await opts.start(core);
    server = await listen(parts.app, env.PORT, env.HOST);
    logger.info({ port: server.port, ...parts.listening }, `${opts.name} service listening`);
    if (opts.handleSignals ?? true) onShutdown(logger, stop);
    return { core, port: server.port, stop };
  } catch (err) {
    await stop().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'error closing after a failed start'));
    throw err;
  }
}
