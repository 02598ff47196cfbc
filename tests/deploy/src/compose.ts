// Reading docker-compose.yml the way `docker compose` does, far enough to check it without a
// Docker engine: YAML with merge keys, ${VAR:-default} interpolation, env files, and the ENV of
// the Dockerfile stage each service is built from.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const COMPOSE_FILE = join(REPO, 'docker-compose.yml');
export const DOCKERFILE = join(REPO, 'infra', 'docker', 'Dockerfile');

export interface Healthcheck { test?: string | string[]; disable?: boolean }
export interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: (string | { path: string; required?: boolean })[] | string;
  ports?: (string | Record<string, unknown>)[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: Record<string, { condition?: string; required?: boolean }> | string[];
  deploy?: { replicas?: number };
  healthcheck?: Healthcheck;
  restart?: string;
}
export interface ComposeFile { name?: string; services: Record<string, Service>; volumes?: Record<string, unknown> }

/** The file as YAML data, merge keys (`<<: *anchor`) applied, before interpolation. */
export function loadRaw(text = readFileSync(COMPOSE_FILE, 'utf8')): Record<string, unknown> {
  return parse(text, { merge: true }) as Record<string, unknown>;
}

/**
 * Compose's interpolation: `$$` is a literal `$`; `${VAR}`, `${VAR:-default}` (unset or empty),
 * `${VAR-default}` (unset) and `$VAR` take the value from `vars`. Unset without a default is "".
 */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced: string | undefined, op: string | undefined, def: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = braced ?? bare!;
    const v = vars[name];
    if (op === ':-') return v === undefined || v === '' ? def! : v;
    if (op === '-') return v === undefined ? def! : v;
    return v ?? '';
  });
}

function deepInterpolate(node: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, vars);
  if (Array.isArray(node)) return node.map((n) => deepInterpolate(n, vars));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deepInterpolate(v, vars)]));
  return node;
}

/** The file as `docker compose config` would see it with these variables set (none: the defaults). */
export function loadCompose(vars: Record<string, string | undefined> = {}): ComposeFile {
  return deepInterpolate(loadRaw(), vars) as ComposeFile;
}

/** `KEY=value`, `KEY='literal'`, `KEY="value"` lines of an env file; comments and blanks skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    let v = m[2]!;
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

export function envFilePaths(s: Service): string[] {
  const list = s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file];
  return list.map((e) => resolve(REPO, typeof e === 'string' ? e : e.path));
}

export function environmentOf(s: Service): Record<string, string> {
  if (Array.isArray(s.environment)) {
    return Object.fromEntries(s.environment.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export interface DockerStage { name: string; from: string; env: Record<string, string> }

/** Stages of a multi-stage Dockerfile (`FROM x AS name`) with the ENV each sets. */
export function dockerStages(text = readFileSync(DOCKERFILE, 'utf8')): Map<string, DockerStage> {
  const stages = new Map<string, DockerStage>();
  let current: DockerStage | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = { name: from[2] ?? from[1]!, from: from[1]!, env: {} };
      stages.set(current.name, current);
      continue;
    }
    const env = /^ENV\s+(.+)$/i.exec(line);
    if (env && current) for (const m of env[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)) current.env[m[1]!] = m[2]!;
  }
  return stages;
}

/** ENV a target inherits through its FROM chain, nearest stage last. */
export function stageEnv(stages: Map<string, DockerStage>, target: string): Record<string, string> {
  const chain: DockerStage[] = [];
  for (let s = stages.get(target); s; s = stages.get(s.from)) chain.unshift(s);
  return Object.assign({}, ...chain.map((s) => s.env)) as Record<string, string>;
}

/**
 * What a service's process sees: the image's ENV (Dockerfile target), then its env files, then
 * `environment:` — the precedence Compose gives them.
 */
export function containerEnv(s: Service, stages: Map<string, DockerStage>): Record<string, string> {
  const image = s.build?.target ? stageEnv(stages, s.build.target) : {};
  const files = Object.assign({}, ...envFilePaths(s).map((p) => parseEnvFile(readFileSync(p, 'utf8')))) as Record<string, string>;
  return { ...image, ...files, ...environmentOf(s) };
}

export function healthcheckCommand(s: Service): string {
  const t = s.healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : (t ?? '');
}

export function dependsOn(s: Service): Record<string, { condition?: string; required?: boolean }> {
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((n) => [n, {}]));
  return s.depends_on ?? {};
}

export function commandWords(s: Service): string[] {
  return Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean);
}
