// `npm run up`: the whole of Tierline on this machine, with a seeded demo. Installs the pinned
// tools and npm dependencies, builds, starts PostgreSQL, NATS JetStream, Temporal (+ Web UI),
// Keycloak and Mailpit, then the four services, the worker and the portal, seeds the demo and
// prints every URL. Re-running it reuses what is installed and running, and keeps all data.
import { isAbsolute, join, relative } from 'node:path';
import { ensureNodeModules, installTools, log, repo, run, usePinnedNode } from './lib.mjs';

await usePinnedNode();

installTools();
ensureNodeModules();
log('build (turbo)');
run('npx', ['turbo', 'run', 'build', '--concurrency=2']);

log('infrastructure servers (infra/stack.mjs)');
run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'up']);

const { APPS, startApps, waitForApps, INBOUND_MAIL } = await import('./apps.mjs');
log('Tierline services, worker and portal');
await startApps();
await waitForApps();

log('demo data');
const { seedDemo } = await import('./seed.mjs');
await seedDemo();

const { ports } = await import('../infra/lib/env.mjs');
const { dataDir } = await import('../infra/lib/proc.mjs');
const p = ports();
const portal = APPS.find((a) => a.name === 'portal').port;
const stubs = APPS.find((a) => a.name === 'provider-stubs').port;
// .data, or wherever TIERLINE_DATA_DIR puts it.
const rel = relative(repo, dataDir());
const data = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dataDir();
process.stdout.write(`
Tierline is up.

  Portal                 http://localhost:${portal}
  API docs (Swagger UI)  http://localhost:${portal}/api/docs
  Temporal Web UI        http://localhost:${p.temporalUi}/namespaces/tierline/workflows
  Keycloak admin         http://localhost:${p.keycloak}/admin/   (admin / admin, demo only)
  Mailpit (email)        http://localhost:${p.mailpitUi}
  Help desk (mail in)    ${INBOUND_MAIL.helpdesk} via SMTP on localhost:${INBOUND_MAIL.port}
                         try: npm run send-test-mail   (from nora.nurse; see docs/notifications.md, "Email in")
  Object store (S3 API)  http://127.0.0.1:${p.objectStore}   (bucket tierline-attachments; files in ${data}/objectstore/data/)
  SMS/Slack/Teams stand-ins, what they received   http://localhost:${stubs}/_stub/requests

  Demo logins (demo only; password Tierline-demo-1 for all):
    nora.nurse      clinic staff, North Clinic    (password only)
    sam.staff       clinic staff, South Clinic    (password only)
    alex.agent      IT agent (tier 1)             one-time code: npm run totp -- alex.agent
    lee.lead        IT lead (tier 2)              one-time code: npm run totp -- lee.lead
    val.vendor      vendor, Acme IT Services      one-time code: npm run totp -- val.vendor
    audrey.auditor  auditor                       one-time code: npm run totp -- audrey.auditor
    ada.admin       admin                         one-time code: npm run totp -- ada.admin
  (TOTP secrets for an authenticator app are in README.md; manuals per role in docs/manual/)

  Logs: ${data}/<name>/log      Stop everything: npm run down${process.env.TIERLINE_DATA_DIR ? ' (with the same TIERLINE_DATA_DIR and ports)' : ''}
`);
