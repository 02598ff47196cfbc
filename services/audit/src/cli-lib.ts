import { createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AUDIT_SCHEMA, createAuditSql } from './db.js';
import { verifyExportFile } from './export-format.js';
import { migrateAudit } from './migrations.js';
import { verifyDatabase, type OutsideAnchor } from './repo.js';
import { createCheckpointAnchors, DEFAULT_MAX_UNANCHORED_MS } from './anchor.js';
import { connectNats } from '@tierline/platform';
import { generateSigningKey, keyIdOf, keyRing, parsePublicKey, privateKeyPem, publicKeyPem, type SignedCheckpoint } from './signing.js';
import type { VerifyReport } from './verify.js';

export const USAGE = `Usage:
  tierline-audit verify --database-url <postgres://…> --public-key <file> [--schema audit] [--anchor <file>]…
                        [--nats-url <nats://user:password@host:4222> [--max-unanchored-ms 75000]]
  tierline-audit verify --file <export.jsonl> --public-key <file> [--anchor <file>]…
  tierline-audit keygen --out <private-key.pem>
  tierline-audit migrate [--database-url <administrator postgres://…>] [--schema audit]

verify   recomputes the hash chain and checks the signed checkpoints; prints a JSON report and
         exits 0 when intact, 1 when broken (naming the first broken row), 2 on usage errors.
         --public-key may repeat (current and retired keys); PEM, JWK or the service's
         GET /api/v1/audit/public-key response. --anchor adds checkpoints kept elsewhere (a
         checkpoint JSON, GET /api/v1/audit/checkpoints output, or an earlier export).
         --nats-url reads the newest checkpoint of the append-only stream TIERLINE_AUDIT_CHECKPOINTS:
         it must be in the database and match, and no row recorded longer ago than
         --max-unanchored-ms may lie beyond it.
keygen   writes a new Ed25519 signing key (PKCS8 PEM, mode 0600) and prints its public key;
         set it as AUDIT_SIGNING_KEY.
migrate  applies the audit schema's migrations as an administrator (never the service's own
         login; default AUDIT_MIGRATION_DATABASE_URL); the tables belong to the NOLOGIN role
         tierline_audit_owner.`;

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const AnchorSchema = z.object({
  id: z.number().int().optional(),
  seq: z.number().int().nonnegative(),
  hash: z.string(),
  signedAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

/** Reads checkpoints from whichever shape the operator kept. */
export async function readAnchors(path: string): Promise<SignedCheckpoint[]> {
  const text = (await readFile(path, 'utf8')).trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A JSONL export: its closing line holds the checkpoint.
    value = JSON.parse(text.split('\n').filter((l) => l.trim()).at(-1) ?? 'null');
  }
  const v = value as { items?: unknown; checkpoint?: unknown } | unknown[] | null;
  const list = Array.isArray(v) ? v : v && typeof v === 'object' && 'items' in v ? v.items : v && typeof v === 'object' && 'checkpoint' in v ? [v.checkpoint].filter(Boolean) : [v];
  return z.array(AnchorSchema).parse(list);
}

/** The newest checkpoint of the anchored stream, read as the NATS user in the URL (e.g. nats://audit:…@host:4222). */
async function readOutside(natsUrl: string, maxMs: string | undefined): Promise<OutsideAnchor> {
  const maxUnanchoredMs = maxMs === undefined ? DEFAULT_MAX_UNANCHORED_MS : Number(maxMs);
  if (!Number.isInteger(maxUnanchoredMs) || maxUnanchoredMs < 0) throw new Error('--max-unanchored-ms must be a whole number of milliseconds');
  const nc = await connectNats(natsUrl, 'tierline-audit-cli');
  try {
    return { newest: await (await createCheckpointAnchors(nc)).newest(), maxUnanchoredMs };
  } finally {
    await nc.close();
  }
}

/** Runs one CLI command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  let values: {
    'database-url'?: string;
    file?: string;
    'public-key'?: string[];
    anchor?: string[];
    'nats-url'?: string;
    'max-unanchored-ms'?: string;
    schema?: string;
    out?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        'database-url': { type: 'string' },
        file: { type: 'string' },
        'public-key': { type: 'string', multiple: true },
        anchor: { type: 'string', multiple: true },
        'nats-url': { type: 'string' },
        'max-unanchored-ms': { type: 'string' },
        schema: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help || !command || command === 'help') {
    io.out(`${USAGE}\n`);
    return command ? 0 : 2;
  }

  if (command === 'keygen') {
    if (!values.out) {
      io.err(`keygen needs --out\n${USAGE}\n`);
      return 2;
    }
    const key = generateSigningKey();
    await writeFile(values.out, privateKeyPem(key), { mode: 0o600, flag: 'wx' });
    const pub = createPublicKey(key);
    io.out(`wrote ${values.out} (key id ${keyIdOf(pub)}); its public key:\n${publicKeyPem(pub)}`);
    return 0;
  }

  if (command === 'migrate') {
    const adminUrl = values['database-url'] ?? process.env.AUDIT_MIGRATION_DATABASE_URL;
    if (!adminUrl) {
      io.err(`migrate needs --database-url or AUDIT_MIGRATION_DATABASE_URL (an administrator login)\n${USAGE}\n`);
      return 2;
    }
    try {
      const applied = await migrateAudit(adminUrl, { schema: values.schema ?? AUDIT_SCHEMA });
      io.out(`${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}\n`);
      return 0;
    } catch (err) {
      io.err(`migrate failed: ${(err as Error).message}\n`);
      return 1;
    }
  }

  if (command !== 'verify') {
    io.err(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (Boolean(values['database-url']) === Boolean(values.file)) {
    io.err(`verify needs exactly one of --database-url or --file\n${USAGE}\n`);
    return 2;
  }
  if (!values['public-key']?.length) {
    io.err(`verify needs --public-key: checkpoints are only as trustworthy as the key you check them with\n${USAGE}\n`);
    return 2;
  }
  let report: VerifyReport;
  try {
    const ring = keyRing(await Promise.all(values['public-key'].map(async (p) => parsePublicKey(await readFile(p, 'utf8')))));
    const anchors = (await Promise.all((values.anchor ?? []).map(readAnchors))).flat();
    if (values.file) {
      report = await verifyExportFile(values.file, ring, anchors);
    } else {
      const outside = values['nats-url'] ? await readOutside(values['nats-url'], values['max-unanchored-ms']) : undefined;
      const sql = createAuditSql(values['database-url']!, { max: 1, schema: values.schema ?? AUDIT_SCHEMA });
      try {
        report = await verifyDatabase(sql, { publicKeys: ring, anchors, ...(outside ? { outside } : {}) });
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
  } catch (err) {
    io.err(`verify could not run: ${(err as Error).message}\n`);
    return 2;
  }
  io.out(`${JSON.stringify(report, null, 2)}\n`);
  io.err(
    report.ok
      ? `intact: ${report.rowsChecked} rows, ${report.checkpointsChecked} checkpoints${report.partial ? ' (partial export: gaps between rows not checked)' : ''}\n`
      : `BROKEN at row ${report.firstBrokenSeq ?? '?'}: ${report.reason ?? 'unknown'}\n`,
  );
  return report.ok ? 0 : 1;
}
