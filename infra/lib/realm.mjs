// The Keycloak realm in two files (docs/decisions/0018-production-realm-and-demo-overlay.md):
//   infra/keycloak/tierline-realm.json       the production realm: roles, groups, flows, clients, the
//                                            identity service account's roles; no people, and every
//                                            client secret a ${TIERLINE_<CLIENT>_CLIENT_SECRET}
//                                            placeholder that Keycloak's import fills from its environment
//   infra/keycloak/tierline-realm.demo.json  the demo overlay: the demo people (published password and
//                                            TOTP seeds), the dev client secrets, reusable one-time codes
// Keycloak imports one file per realm, so the local stack (infra/stack.mjs) and the tests import the
// merge of both; a deployment imports the production file alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraDir } from './tools.mjs';

export const PRODUCTION_REALM_FILE = join(infraDir, 'keycloak', 'tierline-realm.json');
export const DEMO_OVERLAY_FILE = join(infraDir, 'keycloak', 'tierline-realm.demo.json');

/** A client secret that Keycloak's import reads from its environment: ${NAME}. */
export const SECRET_PLACEHOLDER = /^\$\{([A-Z][A-Z0-9_]*)\}$/;

export function readRealm(file = PRODUCTION_REALM_FILE) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The environment variables the production realm's client secrets come from, by client id. */
export function realmSecretVariables(realm = readRealm()) {
  const out = {};
  for (const c of realm.clients ?? []) {
    if (c.secret === undefined) continue;
    const m = SECRET_PLACEHOLDER.exec(c.secret);
    if (!m) throw new Error(`${c.clientId}: the production realm holds a literal client secret; use a \${TIERLINE_..._CLIENT_SECRET} placeholder`);
    out[c.clientId] = m[1];
  }
  return out;
}

/**
 * The production realm with the demo overlay applied: its scalar settings replace the realm's, its
 * clients (by clientId) get the overlay's fields, its users are added. Throws on an overlay entry
 * that matches nothing, and when a client secret is left a placeholder, so a new confidential
 * client cannot reach the dev stack without its dev secret.
 */
export function demoRealm(realm = readRealm(), overlay = readRealm(DEMO_OVERLAY_FILE)) {
  const merged = structuredClone(realm);
  for (const [key, value] of Object.entries(overlay)) {
    if (key === 'clients') {
      for (const patch of value) {
        const client = merged.clients.find((c) => c.clientId === patch.clientId);
        if (!client) throw new Error(`demo overlay: no client "${patch.clientId}" in the realm`);
        Object.assign(client, patch);
      }
    } else if (key === 'users') {
      const names = new Set((merged.users ?? []).map((u) => u.username));
      for (const u of value) {
        if (names.has(u.username)) throw new Error(`demo overlay: user "${u.username}" is in the realm already`);
      }
      merged.users = [...(merged.users ?? []), ...value];
    } else if (value !== null && typeof value === 'object') {
      throw new Error(`demo overlay: "${key}" cannot be merged (only clients, users and plain settings)`);
    } else {
      merged[key] = value;
    }
  }
  for (const c of merged.clients) {
    if (typeof c.secret === 'string' && SECRET_PLACEHOLDER.test(c.secret)) {
      throw new Error(`demo overlay: client "${c.clientId}" has no dev secret (its secret is still ${c.secret})`);
    }
  }
  return merged;
}
