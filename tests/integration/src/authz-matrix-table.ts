import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_POLICY } from '@tierline/domain';
import twilio from 'twilio';
import { attachmentUpload, inviteBody, MATRIX_TWILIO_AUTH_TOKEN, MATRIX_TWILIO_CALLBACK_URL, vendorLinkBody, type Caller, type CallerName, type TicketKind, type World } from './authz-matrix-world.js';

/**
 * The authorization matrix: for every route of every service, keyed `METHOD path` exactly as the
 * app's route table has it, who may call it on an OWN object and on a FOREIGN one. Every route the
 * apps register must be here (authz-matrix.int.test.ts fails naming a missing one), so a new
 * endpoint cannot escape the matrix. Roles: the "Roles" table of the architecture (shared/architecture.md).
 */
export type Service = 'ticket' | 'identity' | 'notification' | 'audit' | 'portal';
export type Scope = 'own' | 'foreign';

/**
 * What own and foreign mean for a route:
 * - ticket: own is the caller's ticket (a nurse's site north ticket, the vendor's escalated one),
 *   foreign another site's, one not escalated to the vendor, another organisation's;
 * - vendorTicket: the ticket escalated to acme-it (own) and one that is not (foreign);
 * - user: a directory user any user manager may manage (own), an admin (foreign: admins only);
 * - none: the route names no object; only "own" is checked.
 */
export type Objects = 'ticket' | 'vendorTicket' | 'user' | 'none';

export interface CallContext {
  w: World;
  caller: Caller;
  scope: Scope;
  /** The ticket the call is about (ticket and vendorTicket routes). */
  ticketId: string;
  ticketKind: TicketKind;
  /** The directory user the call is about (user routes). */
  userId: string;
  /** Whether the matrix expects this call to be allowed (then it may need a throwaway object). */
  allowed: boolean;
}

export interface Req {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Expectation {
  /** Routes anyone may call without a token, by design: why. Every caller is then allowed. */
  public?: string;
  objects: Objects;
  /** Callers allowed on their own object (or on the route, for routes without an object). */
  own: readonly CallerName[];
  /** Callers allowed on a foreign object. */
  foreign?: readonly CallerName[];
  /**
   * The status every allowed call must answer (200 when not given): an allowed call that is
   * refused (401, 403, or a 404 that hides the object) fails, and so does any other answer.
   */
  status?: number;
  /** The status of an allowed call on a foreign object, when it differs from `status`. */
  foreignStatus?: number;
  /** Changes state: runs after every read, one route at a time. */
  mutates?: boolean;
  /** Allowed calls get a throwaway ticket of the same kind, put into the state the action needs. */
  fresh?: { prepare?: (w: World, ticketId: string) => Promise<void> };
  request: (ctx: CallContext) => Req | Promise<Req>;
  /** A further check of an allowed answer's content; returns what is wrong, or null. */
  check?: (res: { status: number; body: unknown }, ctx: CallContext) => string | null;
  /** Makes the call itself, when a plain request and its status cannot tell (the event stream). */
  probe?: (ctx: CallContext, req: Req) => Promise<{ status: number; body: unknown }>;
  /** Runs after an allowed call (records throwaway users to remove). */
  after?: (res: { status: number; body: unknown }, ctx: CallContext) => void;
}

const IT = ['agent', 'lead'] as const;
const STAFF = ['nurse', 'otherNurse'] as const;
const VENDORS = ['vendor', 'otherVendor'] as const;
const OVERSIGHT = ['auditor', 'admin'] as const;
const PEOPLE = [...STAFF, ...IT, ...VENDORS, ...OVERSIGHT] as const;
const TOKENS: readonly CallerName[] = [...PEOPLE, 'svc:tierline-ticket', 'svc:tierline-identity', 'svc:tierline-notification', 'svc:tierline-audit', 'svc:tierline-worker'];
const POLICY_READERS = ['agent', 'lead', 'auditor'] as const;
const NOT_ALLOWED: readonly CallerName[] = [];

const t = (ctx: CallContext, rest = '') => `/api/v1/tickets/${ctx.ticketId}${rest}`;
/** The requester of the call's ticket: requester-link routes act only for her. */
const requesterOf = async (ctx: CallContext): Promise<string> =>
  (await ctx.w.ticketSql<{ requester_id: string }[]>`select requester_id from tickets where id = ${ctx.ticketId}`)[0]?.requester_id ?? 'nobody';
const asLead = (w: World) => w.as('lead', 'ticket');

async function expectOk(what: string, p: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const r = await p;
  if (r.status >= 300) throw new Error(`matrix set-up: ${what} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}
const resolveFirst = async (w: World, id: string) => void (await expectOk('resolve first', w.as('agent', 'ticket')('POST', `/api/v1/tickets/${id}/resolve`, { resolution: 'Fixed for the matrix' })));

/** Waits until the ticket read model shows `cond` (the workflow's read-model patch lands just after its update answers). */
async function readModelShows(what: string, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`matrix set-up: the read model did not show ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Makes the throwaway ticket a major incident, as IT does (docs/decisions/0041). */
const declareFirst = async (w: World, id: string) => {
  await expectOk('declare first', w.as('agent', 'ticket')('POST', `/api/v1/tickets/${id}/declare-incident`));
  await readModelShows('the incident', async () => (await w.ticketSql`select 1 from tickets where id = ${id} and major_incident`).length === 1);
};
/** A major incident with one child linked. */
const declareAndLink = async (w: World, id: string) => {
  await declareFirst(w, id);
  const child = await w.fixtures.freshTicket('north', 'Throwaway child of the authorization matrix');
  await expectOk('link a child', w.as('agent', 'ticket')('POST', `/api/v1/tickets/${id}/children`, { ticketId: child.id }));
  await readModelShows('the child', async () => (await w.ticketSql`select 1 from tickets where incident_parent_id = ${id}`).length === 1);
};
const childOf = async (ctx: CallContext): Promise<string> =>
  (await ctx.w.ticketSql<{ id: string }[]>`select id from tickets where incident_parent_id = ${ctx.ticketId}`)[0]?.id ?? randomUUID();

/** Non-IT callers never see internal notes, in comments or the timeline. */
const noInternalNotes = (res: { body: unknown }, ctx: CallContext) =>
  !['agent', 'lead'].includes(ctx.caller.name) && JSON.stringify(res.body).includes(ctx.w.fixtures.INTERNAL_NOTE) ? 'an internal note reached a caller outside IT' : null;

/** A listed ticket must be one the caller may see. */
function onlyVisibleTickets(res: { body: unknown }, ctx: CallContext): string | null {
  const items = (res.body as { items: { siteId: string; vendorOrgId: string | null; tier: number }[] }).items;
  const visible: Partial<Record<CallerName, (i: (typeof items)[number]) => boolean>> = {
    nurse: (i) => i.siteId === 'north',
    otherNurse: (i) => i.siteId === 'south',
    vendor: (i) => i.vendorOrgId === 'acme-it' && i.tier === 3,
    otherVendor: (i) => i.vendorOrgId === ctx.w.otherVendorOrg && i.tier === 3,
  };
  const rule = visible[ctx.caller.name];
  const bad = rule ? items.filter((i) => !rule(i)) : [];
  return bad.length ? `listed ${bad.length} tickets the caller may not see` : null;
}

/** A route every service's shell (createServiceApp) or the portal has, answering anyone. */
const infrastructure = (why: string, path: string, check?: Expectation['check']): Expectation => ({
  public: why,
  objects: 'none',
  own: [],
  request: () => ({ path }),
  ...(check ? { check } : {}),
});
const HEALTHZ = 'liveness probe of the orchestrator: says only that the process answers, on the internal port';
const READYZ = 'readiness probe of the orchestrator: names the dependencies it checks and whether they answer, nothing of the data';
const METRICS = "Prometheus scrape on the service's own port, which only the internal network reaches (the portal does not forward it): counters by route pattern, no ids";
const OPENAPI = 'the API description: what the routes are, no data';
const DOCS = 'the API viewer (Swagger UI) and its assets: no data';
const isMetrics = (res: { body: unknown }) => (typeof res.body === 'string' && res.body.includes('# TYPE') ? null : 'not Prometheus text');
const isOpenApi = (res: { body: unknown }) => ((res.body as { openapi?: string } | undefined)?.openapi?.startsWith('3.') ? null : 'not an OpenAPI 3 document');
const shell = (extra: Record<string, Expectation> = {}): Record<string, Expectation> => ({
  'GET /healthz': infrastructure(HEALTHZ, '/healthz'),
  'GET /readyz': infrastructure(READYZ, '/readyz'),
  'GET /metrics': infrastructure(METRICS, '/metrics', isMetrics),
  ...extra,
});

const action = (path: string, body: unknown, own: readonly CallerName[], foreign: readonly CallerName[], prepare?: (w: World, id: string) => Promise<void>): Expectation => ({
  objects: 'ticket',
  own,
  foreign,
  mutates: true,
  fresh: prepare ? { prepare } : {},
  request: (ctx) => ({ path: t(ctx, `/${path}`), body }),
});

const ticketRead = (rest: string, check?: Expectation['check']): Expectation => ({
  objects: 'ticket',
  own: PEOPLE,
  // Admins and auditors read any ticket, each read audited (ticket.content_read).
  foreign: [...IT, ...OVERSIGHT],
  request: (ctx) => ({ path: t(ctx, rest) }),
  ...(check ? { check } : {}),
});

export const EXPECTATIONS: Record<Service, Record<string, Expectation>> = {
  ticket: {
    ...shell({
      'GET /api/v1/openapi.json': infrastructure(OPENAPI, '/api/v1/openapi.json', isOpenApi),
      'GET /api/docs': infrastructure(DOCS, '/api/docs'),
      'GET /api/docs/init.js': infrastructure(DOCS, '/api/docs/init.js'),
      'GET /api/docs/:asset': infrastructure(DOCS, '/api/docs/swagger-ui.css'),
    }),
    'POST /api/v1/tickets': {
      objects: 'ticket',
      own: [...STAFF, ...IT],
      foreign: IT,
      status: 201,
      mutates: true,
      request: (ctx) => ({
        path: '/api/v1/tickets',
        body: { title: 'Scanner jams', description: 'Front desk', category: 'printer_scanner', impact: 'one_user', urgency: 'low', siteId: ctx.ticketKind === 'south' ? 'south' : 'north' },
      }),
    },
    'GET /api/v1/tickets': { objects: 'none', own: [...STAFF, ...IT, ...VENDORS], request: () => ({ path: '/api/v1/tickets?limit=200' }), check: onlyVisibleTickets },
    // Likely duplicates of a report about to be made at site north: its staff (numbers only) and IT (decision 42).
    'GET /api/v1/tickets/likely-duplicates': {
      objects: 'none',
      own: ['nurse', ...IT],
      request: () => ({ path: '/api/v1/tickets/likely-duplicates?siteId=north&category=ehr' }),
      check: (res, ctx) =>
        !IT.includes(ctx.caller.name as (typeof IT)[number]) && JSON.stringify(res.body).includes('"title"') ? 'a reporter was shown the titles of other people’s tickets' : null,
    },
    'GET /api/v1/tickets/:id': ticketRead(''),
    'GET /api/v1/tickets/:id/escalation': ticketRead('/escalation'),
    'GET /api/v1/tickets/:id/timeline': ticketRead('/timeline', noInternalNotes),
    // The notification service reads the public notes for the requester's email updates (decision 34).
    'GET /api/v1/tickets/:id/comments': {
      ...ticketRead('/comments', noInternalNotes),
      own: [...PEOPLE, 'svc:tierline-notification'],
      foreign: [...IT, ...OVERSIGHT, 'svc:tierline-notification'],
    },
    'GET /api/v1/tickets/:id/watchers': ticketRead('/watchers'),
    'GET /api/v1/tickets/:id/attachments': ticketRead('/attachments'),
    // Each download is recorded (ticket.attachment_read); a vendor gets only what IT marked for it
    // (the fixtures mark the one of each vendor's ticket).
    'GET /api/v1/tickets/:id/attachments/:attachmentId': {
      ...ticketRead(''),
      request: (ctx) => ({ path: t(ctx, `/attachments/${ctx.w.fixtures.attachments[ctx.ticketKind]}`) }),
    },
    // Those who work or reported the ticket add files; admins and auditors only read.
    'POST /api/v1/tickets/:id/attachments': {
      objects: 'ticket',
      own: [...IT, ...STAFF, ...VENDORS],
      foreign: IT,
      status: 201,
      mutates: true,
      request: (ctx) => {
        const [body, headers] = attachmentUpload('matrix-upload.txt');
        return { path: t(ctx, '/attachments'), body, headers };
      },
    },
    // The vendor's minimum-necessary view is IT's decision.
    'PATCH /api/v1/tickets/:id/attachments/:attachmentId': {
      objects: 'ticket',
      own: IT,
      foreign: IT,
      mutates: true,
      request: (ctx) => ({ path: t(ctx, `/attachments/${ctx.w.fixtures.attachments[ctx.ticketKind]}`), body: { vendorVisible: ctx.ticketKind === 'acme' || ctx.ticketKind === 'beta' } }),
    },
    'POST /api/v1/tickets/:id/acknowledge': action('acknowledge', {}, IT, IT),
    'POST /api/v1/tickets/:id/assign': action('assign', { teamId: 'it-tier1' }, IT, IT),
    'POST /api/v1/tickets/:id/priority': action('priority', { priority: 'P1', reason: 'Blocks check-in' }, IT, IT),
    'POST /api/v1/tickets/:id/wait-on-requester': action('wait-on-requester', { reason: 'Which room?' }, IT, IT),
    'POST /api/v1/tickets/:id/resume': action('resume', {}, IT, IT, async (w, id) => void (await expectOk('wait first', w.as('agent', 'ticket')('POST', `/api/v1/tickets/${id}/wait-on-requester`, {})))),
    'POST /api/v1/tickets/:id/hand-to-vendor': action('hand-to-vendor', { vendorOrgId: 'acme-it' }, IT, IT),
    'POST /api/v1/tickets/:id/vendor-acknowledge': action('vendor-acknowledge', {}, VENDORS, NOT_ALLOWED),
    'POST /api/v1/tickets/:id/resolve': action('resolve', { resolution: 'Replaced the cable' }, [...IT, ...VENDORS], IT),
    'POST /api/v1/tickets/:id/reopen': action('reopen', { reason: 'It broke again' }, [...IT, ...STAFF], IT, resolveFirst),
    'POST /api/v1/tickets/:id/close': action('close', {}, [...IT, ...STAFF], IT, resolveFirst),
    // A comment changes no escalation state: it runs on the shared tickets.
    'POST /api/v1/tickets/:id/comments': { objects: 'ticket', own: [...IT, ...STAFF, ...VENDORS], foreign: IT, mutates: true, request: (ctx) => ({ path: t(ctx, '/comments'), body: { body: 'Any news?', visibility: 'public' } }) },
    'PUT /api/v1/tickets/:id/watchers/:userId': { objects: 'ticket', own: [...IT, ...STAFF, ...VENDORS], foreign: IT, mutates: true, request: (ctx) => ({ path: t(ctx, `/watchers/${ctx.caller.id || 'nobody'}`) }) },
    'DELETE /api/v1/tickets/:id/watchers/:userId': { objects: 'ticket', own: [...IT, ...STAFF, ...VENDORS], foreign: IT, mutates: true, request: (ctx) => ({ path: t(ctx, `/watchers/${ctx.caller.id || 'nobody'}`) }) },
    // The live feed opens for any valid token and filters every event by the read rule: allowed
    // means the ticket's events reach the caller, refused that none does (or 401). Admins and
    // auditors get nothing here: their reads go through the audited routes.
    // Major incidents (docs/decisions/0041): IT declares, links, unlinks and posts; those who may read a ticket read its incident.
    'POST /api/v1/incidents': {
      objects: 'none',
      own: IT,
      status: 201,
      mutates: true,
      request: () => ({ path: '/api/v1/incidents', body: { title: 'Printers down at North', category: 'printer_scanner', siteId: 'north' } }),
    },
    'POST /api/v1/tickets/:id/declare-incident': action('declare-incident', {}, IT, IT),
    'POST /api/v1/tickets/:id/children': {
      ...action('children', {}, IT, IT, declareFirst),
      request: async (ctx) => ({
        path: t(ctx, '/children'),
        body: { ticketId: ctx.allowed ? (await ctx.w.fixtures.freshTicket('north', 'Throwaway child of the authorization matrix')).id : randomUUID() },
      }),
    },
    'DELETE /api/v1/tickets/:id/children/:childId': {
      ...action('children', {}, IT, IT, declareAndLink),
      request: async (ctx) => ({ path: t(ctx, `/children/${await childOf(ctx)}`) }),
    },
    'POST /api/v1/tickets/:id/incident-status': {
      ...action('incident-status', { message: 'Vendor engaged', nextUpdateAt: null }, IT, IT, declareFirst),
      status: 201,
    },
    'GET /api/v1/tickets/:id/incident': ticketRead('/incident'),
    'GET /api/v1/status-banners': { objects: 'none', own: [...STAFF, ...IT], request: () => ({ path: '/api/v1/status-banners' }) },
    'GET /api/v1/events/stream': { objects: 'ticket', own: [...STAFF, ...IT, ...VENDORS], foreign: IT, request: () => ({ path: '/api/v1/events/stream' }), probe: streamProbe },
    // Vendor signed links: only the identity service's account, which verified the link.
    'GET /api/v1/tickets/:id/vendor-link-check': { objects: 'vendorTicket', own: ['svc:tierline-identity'], foreign: ['svc:tierline-identity'], request: (ctx) => ({ path: t(ctx, '/vendor-link-check?vendorOrgId=acme-it') }) },
    'POST /api/v1/tickets/:id/vendor-link-acknowledge': {
      objects: 'vendorTicket',
      own: ['svc:tierline-identity'],
      foreign: ['svc:tierline-identity'],
      // A link of acme-it cannot acknowledge a ticket that is not with acme-it: the ticket's state, not access.
      foreignStatus: 409,
      mutates: true,
      fresh: {},
      request: (ctx) => ({ path: t(ctx, '/vendor-link-acknowledge'), body: { linkId: randomUUID(), vendorUserId: ctx.w.fixtures.valId, vendorOrgId: 'acme-it' } }),
    },
    // Mail in (docs/decisions/0036): only the notification service, which matched the sender in the directory, acts for them.
    'POST /api/v1/inbound-email/tickets': {
      objects: 'none',
      own: ['svc:tierline-notification'],
      status: 201,
      mutates: true,
      request: () => ({
        path: '/api/v1/inbound-email/tickets',
        body: { requester: { id: 'matrix-mail-sender', username: 'matrix.mail', roles: ['clinic_staff'], sites: ['north'] }, title: 'Printer by mail', description: '', messageKey: `matrix-${randomUUID()}`, attachments: 0 },
      }),
    },
    'POST /api/v1/inbound-email/comments': {
      objects: 'none',
      own: ['svc:tierline-notification'],
      mutates: true,
      request: (ctx) => ({
        path: '/api/v1/inbound-email/comments',
        body: { ticketNumber: ctx.w.fixtures.tickets.north.number, author: { id: 'matrix-mail-agent', username: 'matrix.agent', roles: ['it_agent'], sites: [] }, body: 'Reply by mail', messageKey: `matrix-${randomUUID()}`, attachments: 0 },
      }),
    },
    // One file of a mail onto its ticket, as the sender the notification service matched.
    'POST /api/v1/inbound-email/attachments': {
      objects: 'none',
      own: ['svc:tierline-notification'],
      status: 201,
      mutates: true,
      request: (ctx) => {
        const boundary = `matrix-${randomUUID()}`;
        const field = (name: string, value: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
        const uploader = { id: 'matrix-mail-agent', username: 'matrix.agent', roles: ['it_agent'], sites: [] };
        const body =
          field('ticketId', ctx.w.fixtures.tickets.north.id) +
          field('messageKey', `matrix-${randomUUID()}`) +
          field('index', '0') +
          field('uploader', JSON.stringify(uploader)) +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="matrix-mail.txt"\r\ncontent-type: text/plain\r\n\r\nprinter log line\r\n--${boundary}--\r\n`;
        return { path: '/api/v1/inbound-email/attachments', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
      },
    },
    // Requester links ("Fixed" / "Not fixed"): only the identity service's account, which verified
    // the link. The matrix's tickets are not resolved, so closing and reopening are refused by the
    // ticket's state (409), not by access.
    'GET /api/v1/tickets/:id/requester-link-check': {
      objects: 'ticket',
      own: ['svc:tierline-identity'],
      foreign: ['svc:tierline-identity'],
      request: async (ctx) => ({ path: t(ctx, `/requester-link-check?requesterId=${await requesterOf(ctx)}`) }),
    },
    'POST /api/v1/tickets/:id/requester-link-close': {
      objects: 'ticket',
      own: ['svc:tierline-identity'],
      foreign: ['svc:tierline-identity'],
      status: 409,
      mutates: true,
      request: async (ctx) => ({ path: t(ctx, '/requester-link-close'), body: { linkId: randomUUID(), requesterId: await requesterOf(ctx) } }),
    },
    'POST /api/v1/tickets/:id/requester-link-reopen': {
      objects: 'ticket',
      own: ['svc:tierline-identity'],
      foreign: ['svc:tierline-identity'],
      status: 409,
      mutates: true,
      request: async (ctx) => ({ path: t(ctx, '/requester-link-reopen'), body: { linkId: randomUUID(), requesterId: await requesterOf(ctx), reason: 'Still broken.' } }),
    },
    'POST /api/v1/tickets/:id/requester-link-satisfaction': {
      objects: 'ticket',
      own: ['svc:tierline-identity'],
      foreign: ['svc:tierline-identity'],
      mutates: true,
      request: async (ctx) => ({ path: t(ctx, '/requester-link-satisfaction'), body: { linkId: randomUUID(), requesterId: await requesterOf(ctx), rating: 4, comment: null } }),
    },
    // The requester's satisfaction answers: IT only.
    'GET /api/v1/tickets/:id/satisfaction': { objects: 'ticket', own: IT, foreign: IT, request: (ctx) => ({ path: t(ctx, '/satisfaction') }) },

    // Escalation policies: IT and auditors read, IT leads change.
    'GET /api/v1/policies/draft': { objects: 'none', own: POLICY_READERS, request: () => ({ path: '/api/v1/policies/draft' }) },
    'POST /api/v1/policies/draft/validate': { objects: 'none', own: POLICY_READERS, request: () => ({ path: '/api/v1/policies/draft/validate', body: DEFAULT_POLICY }) },
    'POST /api/v1/policies/preview': { objects: 'none', own: POLICY_READERS, request: () => ({ path: '/api/v1/policies/preview', body: { policy: DEFAULT_POLICY, priority: 'P2' } }) },
    'GET /api/v1/reports/sla': {
      objects: 'none',
      own: ['lead', 'auditor'],
      request: () => ({ path: `/api/v1/reports/sla?from=${encodeURIComponent('2020-01-01T00:00:00Z')}&to=${encodeURIComponent('2020-12-31T00:00:00Z')}&groupBy=site` }),
    },
    'GET /api/v1/reports/sla.csv': {
      objects: 'none',
      own: ['lead', 'auditor'],
      request: () => ({ path: `/api/v1/reports/sla.csv?from=${encodeURIComponent('2020-01-01T00:00:00Z')}&to=${encodeURIComponent('2020-12-31T00:00:00Z')}&groupBy=site` }),
    },
    'GET /api/v1/reports/sla/weekly': {
      objects: 'none',
      own: ['lead', 'auditor'],
      request: () => ({ path: `/api/v1/reports/sla/weekly?from=${encodeURIComponent('2020-01-01T00:00:00Z')}&to=${encodeURIComponent('2020-03-01T00:00:00Z')}` }),
    },
    // The what-if replays the last days' tickets on a draft: for the IT leads who publish.
    'POST /api/v1/policies/what-if': { objects: 'none', own: ['lead'], request: () => ({ path: '/api/v1/policies/what-if', body: { policy: DEFAULT_POLICY, days: 1 } }) },
    'GET /api/v1/policies/versions': { objects: 'none', own: POLICY_READERS, request: () => ({ path: '/api/v1/policies/versions' }) },
    'GET /api/v1/policies/versions/:version': { objects: 'none', own: POLICY_READERS, request: () => ({ path: '/api/v1/policies/versions/1' }) },
    'GET /api/v1/policies/diff': { objects: 'none', own: POLICY_READERS, request: () => ({ path: '/api/v1/policies/diff?from=1&to=1' }) },
    'PUT /api/v1/policies/draft': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => {
        const draft = (await expectOk('read the draft', asLead(ctx.w)('GET', '/api/v1/policies/draft'))) as { draft: { lockVersion: number } };
        // Renamed, so that the publish below has something new to publish.
        return { path: '/api/v1/policies/draft', body: { ...DEFAULT_POLICY, name: `Clinic policy, as the matrix saved it (${randomUUID().slice(0, 8)})` }, headers: { 'if-match': `"${draft.draft.lockVersion}"` } };
      },
    },
    'POST /api/v1/policies/draft/publish': { objects: 'none', own: ['lead'], status: 201, mutates: true, request: () => ({ path: '/api/v1/policies/draft/publish', body: { notes: 'Published by the authorization matrix' } }) },
    // Published versions never change: the route refuses everyone, IT leads with 409.
    'PUT /api/v1/policies/versions/:version': { objects: 'none', own: ['lead'], status: 409, mutates: true, request: () => ({ path: '/api/v1/policies/versions/1', body: DEFAULT_POLICY }) },
    'PATCH /api/v1/policies/versions/:version': { objects: 'none', own: ['lead'], status: 409, mutates: true, request: () => ({ path: '/api/v1/policies/versions/1', body: {} }) },
    'DELETE /api/v1/policies/versions/:version': { objects: 'none', own: ['lead'], status: 409, mutates: true, request: () => ({ path: '/api/v1/policies/versions/1' }) },
    'POST /api/v1/policies/migrate': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => {
        const versions = (await expectOk('list versions', asLead(ctx.w)('GET', '/api/v1/policies/versions'))) as { items: { version: number }[] };
        const toVersion = Math.max(...versions.items.map((v) => v.version));
        const ticket = ctx.allowed ? await ctx.w.fixtures.freshTicket('north') : ctx.w.fixtures.tickets.north;
        return { path: '/api/v1/policies/migrate', body: { toVersion, ticketIds: [ticket.id], reason: 'Authorization matrix' } };
      },
    },

    // Assignment: IT reads (the notification service reads one team and its rota), IT leads change.
    'GET /api/v1/teams': { objects: 'none', own: IT, request: () => ({ path: '/api/v1/teams' }) },
    'GET /api/v1/assignment-rules': { objects: 'none', own: IT, request: () => ({ path: '/api/v1/assignment-rules' }) },
    'GET /api/v1/teams/:id': { objects: 'none', own: [...IT, 'svc:tierline-notification'], request: () => ({ path: '/api/v1/teams/it-tier1' }) },
    'GET /api/v1/teams/:id/on-call': { objects: 'none', own: [...IT, 'svc:tierline-notification'], request: () => ({ path: '/api/v1/teams/it-tier1/on-call' }) },
    'GET /api/v1/teams/:id/on-call/schedule': {
      objects: 'none',
      own: [...IT, 'svc:tierline-notification'],
      request: () => ({ path: '/api/v1/teams/it-tier1/on-call/schedule' }),
    },
    'GET /api/v1/teams/:id/rotation': {
      objects: 'none',
      own: IT,
      request: async (ctx) => {
        if (ctx.allowed) await expectOk('a rotation to read', asLead(ctx.w)('PUT', '/api/v1/teams/it-tier2/rotation', rotation()));
        return { path: '/api/v1/teams/it-tier2/rotation' };
      },
    },
    'PUT /api/v1/teams/:id/rotation': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      // Made first, so the allowed call replaces it (200) whatever ran before.
      request: async (ctx) => {
        if (ctx.allowed) await expectOk('a rotation to replace', asLead(ctx.w)('PUT', '/api/v1/teams/it-tier2/rotation', rotation()));
        return { path: '/api/v1/teams/it-tier2/rotation', body: rotation() };
      },
    },
    'DELETE /api/v1/teams/:id/rotation': {
      objects: 'none',
      own: ['lead'],
      status: 204,
      mutates: true,
      request: async (ctx) => {
        if (ctx.allowed) await expectOk('a rotation to end', asLead(ctx.w)('PUT', '/api/v1/teams/it-tier2/rotation', rotation()));
        return { path: '/api/v1/teams/it-tier2/rotation' };
      },
    },
    'PUT /api/v1/teams/:id': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => {
        const team = (await expectOk('read the team', asLead(ctx.w)('GET', '/api/v1/teams/it-tier1'))) as Record<string, unknown>;
        return { path: '/api/v1/teams/it-tier1', body: { name: team['name'], tier: team['tier'], timeZone: team['timeZone'], weeklyHours: team['weeklyHours'], leadUsername: team['leadUsername'] } };
      },
    },
    'PUT /api/v1/teams/:id/members/:username': {
      objects: 'none',
      own: ['lead'],
      status: 201,
      mutates: true,
      // A new member each time (each pass of the matrix): 201, where a changed member would be 200.
      request: () => ({ path: `/api/v1/teams/it-tier1/members/authz.member.${randomUUID().slice(0, 8)}`, body: { displayName: 'Matrix Member', skills: [], available: false } }),
    },
    'DELETE /api/v1/teams/:id/members/:username': {
      objects: 'none',
      own: ['lead'],
      status: 204,
      mutates: true,
      request: async (ctx) => {
        const username = `authz.gone.${ctx.caller.name.toLowerCase()}`;
        if (ctx.allowed) await expectOk('add a member to remove', asLead(ctx.w)('PUT', `/api/v1/teams/it-tier1/members/${username}`, { displayName: 'Gone Soon', available: false }));
        return { path: `/api/v1/teams/it-tier1/members/${username}` };
      },
    },
    'PUT /api/v1/assignment-rules': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => {
        const current = (await expectOk('read the rules', asLead(ctx.w)('GET', '/api/v1/assignment-rules'))) as { rules: Record<string, unknown>[] };
        const rules = current.rules.map((r) => ({ category: r['category'], siteId: r['siteId'], teamId: r['teamId'], requiredSkills: r['requiredSkills'], escalationTeamId: r['escalationTeamId'] }));
        return { path: '/api/v1/assignment-rules', body: { rules } };
      },
    },
    'POST /api/v1/teams/:id/on-call': { objects: 'none', own: ['lead'], status: 201, mutates: true, request: () => ({ path: '/api/v1/teams/it-tier1/on-call', body: shift() }) },
    'DELETE /api/v1/teams/:id/on-call/:shiftId': {
      objects: 'none',
      own: ['lead'],
      status: 204,
      mutates: true,
      request: async (ctx) => {
        const id = ctx.allowed ? ((await expectOk('a shift to delete', asLead(ctx.w)('POST', '/api/v1/teams/it-tier1/on-call', shift()))) as { id: string }).id : randomUUID();
        return { path: `/api/v1/teams/it-tier1/on-call/${id}` };
      },
    },
    // Maintenance windows (decision 43): IT leads schedule and change them, admins read them. The
    // windows made here cover a site nobody belongs to, so they hold no other test's ticket.
    'GET /api/v1/maintenance-windows': { objects: 'none', own: ['lead', 'admin'], request: () => ({ path: '/api/v1/maintenance-windows' }) },
    'POST /api/v1/maintenance-windows': { objects: 'none', own: ['lead'], status: 201, mutates: true, request: () => ({ path: '/api/v1/maintenance-windows', body: maintenanceWindow(false) }) },
    'PATCH /api/v1/maintenance-windows/:id': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => ({ path: `/api/v1/maintenance-windows/${await windowFor(ctx, false)}`, body: { title: 'Matrix window, renamed' } }),
    },
    'POST /api/v1/maintenance-windows/:id/end': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => ({ path: `/api/v1/maintenance-windows/${await windowFor(ctx, true)}/end` }),
    },
    'POST /api/v1/maintenance-windows/:id/cancel': {
      objects: 'none',
      own: ['lead'],
      mutates: true,
      request: async (ctx) => ({ path: `/api/v1/maintenance-windows/${await windowFor(ctx, false)}/cancel` }),
    },
  },

  identity: {
    ...shell({ 'GET /api/v1/identity/openapi.json': infrastructure(OPENAPI, '/api/v1/identity/openapi.json', isOpenApi) }),
    'GET /api/v1/me': { objects: 'none', own: TOKENS, request: () => ({ path: '/api/v1/me' }) },
    'GET /api/v1/me/contacts': { objects: 'none', own: PEOPLE, request: () => ({ path: '/api/v1/me/contacts' }) },
    'PUT /api/v1/me/contacts': {
      objects: 'none',
      own: PEOPLE,
      mutates: true,
      request: () => ({ path: '/api/v1/me/contacts', body: { email: null, mobile: null, slackHandle: null, teamsHandle: null, quietHours: null, preferredChannels: [] } }),
    },
    'GET /api/v1/directory/users': { objects: 'none', own: [...IT, 'admin', 'svc:tierline-notification'], request: () => ({ path: '/api/v1/directory/users' }) },
    // Own: an IT agent account; foreign: an admin account, which only an admin may create or change.
    'POST /api/v1/directory/users': {
      objects: 'user',
      own: ['lead', 'admin'],
      foreign: ['admin'],
      status: 201,
      mutates: true,
      request: (ctx) => ({ path: '/api/v1/directory/users', body: inviteBody(ctx.scope === 'own' ? 'it_agent' : 'admin') }),
      after: (res, ctx) => {
        const id = (res.body as { id?: string } | undefined)?.id;
        if (res.status === 201 && id) ctx.w.fixtures.invited.push(id);
      },
    },
    'POST /api/v1/directory/users/:id/disable': { objects: 'user', own: ['lead', 'admin'], foreign: ['admin'], mutates: true, request: (ctx) => ({ path: `/api/v1/directory/users/${ctx.userId}/disable` }) },
    'POST /api/v1/directory/users/:id/enable': { objects: 'user', own: ['lead', 'admin'], foreign: ['admin'], mutates: true, request: (ctx) => ({ path: `/api/v1/directory/users/${ctx.userId}/enable` }) },
    'PUT /api/v1/directory/users/:id/roles': {
      objects: 'user',
      own: ['lead', 'admin'],
      foreign: ['admin'],
      mutates: true,
      request: (ctx) => ({ path: `/api/v1/directory/users/${ctx.userId}/roles`, body: { roles: ctx.scope === 'own' ? ['it_agent'] : ['admin'] } }),
    },
    // The admin's sites and vendor organisations (decision 44): IT reads them, only admins change them.
    'GET /api/v1/sites': { objects: 'none', own: [...IT, 'admin'], request: () => ({ path: '/api/v1/sites' }) },
    'POST /api/v1/sites': {
      objects: 'none',
      own: ['admin'],
      status: 201,
      mutates: true,
      request: () => ({ path: '/api/v1/sites', body: { id: `matrix-${randomBytes(4).toString('hex')}`, name: 'Matrix Site', timeZone: 'Europe/Berlin' } }),
      after: (res, ctx) => {
        const id = (res.body as { id?: string } | undefined)?.id;
        if (res.status === 201 && id) ctx.w.fixtures.madeGroups.push(`/sites/${id}`);
      },
    },
    'PATCH /api/v1/sites/:id': { objects: 'none', own: ['admin'], mutates: true, request: (ctx) => ({ path: `/api/v1/sites/${ctx.w.fixtures.siteId}`, body: { timeZone: 'America/Chicago' } }) },
    'GET /api/v1/directory/vendor-orgs': { objects: 'none', own: [...IT, 'admin'], request: () => ({ path: '/api/v1/directory/vendor-orgs' }) },
    'POST /api/v1/directory/vendor-orgs': {
      objects: 'none',
      own: ['admin'],
      status: 201,
      mutates: true,
      request: () => ({ path: '/api/v1/directory/vendor-orgs', body: { id: `matrix-${randomBytes(4).toString('hex')}`, name: 'Matrix Vendor Org' } }),
      after: (res, ctx) => {
        const id = (res.body as { id?: string } | undefined)?.id;
        if (res.status === 201 && id) ctx.w.fixtures.madeGroups.push(`/vendors/${id}`);
      },
    },
    'PATCH /api/v1/directory/vendor-orgs/:id': { objects: 'none', own: ['admin'], mutates: true, request: (ctx) => ({ path: `/api/v1/directory/vendor-orgs/${ctx.w.otherVendorOrg}`, body: { name: 'Matrix Vendor, renamed' } }) },
    'GET /api/v1/directory/vendor-orgs/:id/people': { objects: 'none', own: ['admin'], request: (ctx) => ({ path: `/api/v1/directory/vendor-orgs/${ctx.w.otherVendorOrg}/people` }) },
    'POST /api/v1/directory/vendor-orgs/:id/people': {
      objects: 'none',
      own: ['admin'],
      status: 201,
      mutates: true,
      request: (ctx) => {
        const n = randomBytes(3).toString('hex');
        return { path: `/api/v1/directory/vendor-orgs/${ctx.w.otherVendorOrg}/people`, body: { username: `authz.vp.${n}`, email: `authz.vp.${n}@it.tierline.test`, firstName: 'Matrix', lastName: 'Vendor' } };
      },
      after: (res, ctx) => {
        const id = (res.body as { id?: string } | undefined)?.id;
        if (res.status === 201 && id) ctx.w.fixtures.invited.push(id);
      },
    },
    'DELETE /api/v1/directory/vendor-orgs/:id/people/:userId': {
      objects: 'none',
      own: ['admin'],
      mutates: true,
      // Allowed calls remove a person invited for them; refused ones name a person who is not there.
      request: async (ctx) => ({ path: `/api/v1/directory/vendor-orgs/${ctx.w.otherVendorOrg}/people/${ctx.allowed ? await ctx.w.fixtures.freshVendorPerson() : randomUUID()}` }),
    },
    'POST /api/v1/vendor-links': {
      objects: 'none',
      own: ['svc:tierline-notification'],
      status: 201,
      mutates: true,
      request: (ctx) => ({ path: '/api/v1/vendor-links', body: vendorLinkBody(ctx.w.fixtures.tickets.acme.id, ctx.w.fixtures.tickets.acme.number, ctx.w.fixtures.valId) }),
    },
    'GET /api/v1/vendor-links': { objects: 'none', own: [...IT, ...OVERSIGHT], request: (ctx) => ({ path: `/api/v1/vendor-links?ticketId=${ctx.w.fixtures.tickets.acme.id}` }) },
    'POST /api/v1/vendor-links/:id/revoke': {
      objects: 'none',
      own: ['lead', 'admin'],
      mutates: true,
      request: async (ctx) => ({
        path: `/api/v1/vendor-links/${ctx.allowed ? (await ctx.w.fixtures.freshVendorLink()).id : ctx.w.fixtures.link.id}/revoke`,
        body: { reason: 'Sent to the wrong person' },
      }),
    },
    'GET /api/v1/vendor-links/jwks.json': { public: 'the public key vendor links are verified with: anyone may check a link offline', objects: 'none', own: [], request: () => ({ path: '/api/v1/vendor-links/jwks.json' }) },
    'GET /v/:token': {
      public: 'the page a vendor signed link opens: the signed link itself is the credential (checked per call), no login',
      objects: 'none',
      own: [],
      request: (ctx) => ({ path: `/v/${ctx.w.fixtures.link.token}` }),
    },
    'POST /v/:token/acknowledge': {
      public: 'the Acknowledge button of a vendor signed link: the signed link is the credential, no login',
      objects: 'none',
      own: [],
      // A tampered link is refused as bad input whatever token comes with it (the page's own tests acknowledge with real links).
      status: 400,
      // A tampered link: the matrix must not use up the shared one.
      request: (ctx) => ({ path: `/v/${ctx.w.fixtures.link.token.slice(0, -4)}AAAA/acknowledge` }),
    },
    'POST /api/v1/requester-links': {
      objects: 'none',
      own: ['svc:tierline-notification'],
      status: 201,
      mutates: true,
      request: (ctx) => ({
        path: '/api/v1/requester-links',
        body: { ticketId: ctx.w.fixtures.tickets.north.id, ticketNumber: ctx.w.fixtures.tickets.north.number, recipientId: ctx.w.fixtures.valId, idempotencyKey: randomUUID() },
      }),
    },
    // The requester link pages: the signed link is the credential, no login. The matrix presents a
    // link that is not one (refused as bad input, 400); their own tests use real links.
    'GET /r/:token': { public: 'the page a requester link opens: the signed link is the credential, no login', objects: 'none', own: [], status: 400, request: () => ({ path: '/r/not.a.link' }) },
    'POST /r/:token/answer': {
      public: 'the "Fixed" / "Not fixed" button of a requester link: the signed link is the credential, no login',
      objects: 'none',
      own: [],
      status: 400,
      request: () => ({ path: '/r/not.a.link/answer' }),
    },
    'POST /r/:token/satisfaction': {
      public: 'the satisfaction answer after "Fixed": the signed link is the credential, no login',
      objects: 'none',
      own: [],
      status: 400,
      request: () => ({ path: '/r/not.a.link/satisfaction' }),
    },
  },

  notification: {
    ...shell({ 'GET /api/v1/notifications/openapi.json': infrastructure(OPENAPI, '/api/v1/notifications/openapi.json', isOpenApi) }),
    // Whoever may read the ticket (asked of the ticket service with the caller's token).
    'POST /webhooks/twilio/status': {
      public: "Twilio's message status callback: authenticated by X-Twilio-Signature (an HMAC of the URL and form with the account's auth token), not by a token",
      objects: 'none',
      own: [],
      request: () => ({ path: '/webhooks/twilio/status' }),
      // A form, signed the way Twilio signs it; a bearer token neither helps nor hurts.
      probe: async (ctx, req) => {
        const form = { MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered' };
        const signature = twilio.getExpectedTwilioSignature(MATRIX_TWILIO_AUTH_TOKEN, MATRIX_TWILIO_CALLBACK_URL, form);
        const res = await fetch(`${ctx.w.urls.notification}${req.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, ...(ctx.caller.token ? { authorization: `Bearer ${ctx.caller.token}` } : {}) },
          body: new URLSearchParams(form).toString(),
        });
        return { status: res.status, body: await res.json() };
      },
    },
    // Received mail and what became of it (held mail above all): IT leads.
    'GET /api/v1/notifications/inbound-mail': { objects: 'none', own: ['lead'], request: () => ({ path: '/api/v1/notifications/inbound-mail?status=held' }) },
    'GET /api/v1/notifications': { objects: 'ticket', own: PEOPLE, foreign: [...IT, ...OVERSIGHT], request: (ctx) => ({ path: `/api/v1/notifications?ticketId=${ctx.ticketId}` }) },
  },

  audit: {
    ...shell({
      'GET /api/v1/audit/openapi.json': infrastructure(OPENAPI, '/api/v1/audit/openapi.json', isOpenApi),
      'GET /api/v1/audit/docs': infrastructure(DOCS, '/api/v1/audit/docs'),
      'GET /api/v1/audit/docs/init.js': infrastructure(DOCS, '/api/v1/audit/docs/init.js'),
      'GET /api/v1/audit/docs/:asset': infrastructure(DOCS, '/api/v1/audit/docs/swagger-ui.css'),
    }),
    'GET /api/v1/audit/events': { objects: 'none', own: ['lead', 'auditor'], request: () => ({ path: '/api/v1/audit/events' }) },
    'GET /api/v1/audit/export': { objects: 'none', own: ['lead', 'auditor'], request: () => ({ path: '/api/v1/audit/export' }) },
    // A POST, but it only reads and reports.
    'POST /api/v1/audit/verify': { objects: 'none', own: ['lead', 'auditor'], request: () => ({ path: '/api/v1/audit/verify', body: {} }) },
    'GET /api/v1/audit/checkpoints': { objects: 'none', own: ['lead', 'auditor'], request: () => ({ path: '/api/v1/audit/checkpoints' }) },
    // Auditors only read: signing a checkpoint is an IT lead's.
    'POST /api/v1/audit/checkpoints': { objects: 'none', own: ['lead'], mutates: true, request: () => ({ path: '/api/v1/audit/checkpoints' }) },
    'GET /api/v1/audit/public-key': { public: 'the public key exports are verified with: verification needs no account', objects: 'none', own: [], request: () => ({ path: '/api/v1/audit/public-key' }) },
  },

  portal: {
    'GET /healthz': infrastructure(HEALTHZ, '/healthz'),
    'GET /readyz': infrastructure(READYZ, '/readyz'),
    'GET /config.json': infrastructure("the browser app's run-time settings: Keycloak's address, the realm and the public client id, nothing secret", '/config.json'),
    'GET /assets/*': infrastructure('the built browser app (content-hashed scripts and styles)', '/assets/app-authz.js'),
    'GET /*': infrastructure("the browser app's page for any other path (the client-side router's); it holds no data, the API calls it makes carry the token", '/tickets/some-ticket'),
    // The proxy decides nothing itself: whatever the owning service answers the caller directly,
    // it answers through the portal. Checked with one ticket's read (own and foreign, every caller).
    'ALL /api/*': { ...ticketRead(''), request: (ctx) => ({ path: t(ctx) }) },
  },
};

/**
 * Opens the stream, waits for `ready`, makes an event of the ticket (IT adds a watcher: an audited
 * ticket event that changes no escalation state) and reports whether it reached this caller.
 */
async function streamProbe(ctx: CallContext, req: Req): Promise<{ status: number; body: unknown }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.allowed ? 15_000 : 4_000);
  try {
    const res = await fetch(`${ctx.w.urls.ticket}${req.path}`, {
      headers: ctx.caller.token ? { authorization: `Bearer ${ctx.caller.token}` } : {},
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.body) return { status: res.status, body: await res.text() };
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let triggered = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
        if (!triggered && text.includes('event: ready')) {
          triggered = true;
          await expectOk('an event of the ticket', ctx.w.as('agent', 'ticket')('PUT', `/api/v1/tickets/${ctx.ticketId}/watchers/stream-probe-${randomUUID()}`));
        }
        if (triggered && text.split('\n\n').some((m) => m.includes('event: ticket') && m.includes(`"ticketId":"${ctx.ticketId}"`))) {
          return { status: 200, body: 'the ticket\'s event reached the stream' };
        }
      }
    } catch {
      // Aborted by the timer: nothing of the ticket arrived.
    }
    // Nothing of the ticket reached this caller: for the matrix, that is a refusal.
    return { status: 403, body: triggered ? 'no event of the ticket reached the stream' : 'the stream never said ready' };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

// Shifts of one team must not overlap, and the matrix creates several (some at once): each gets
// its own hour, two hours after the one before.
let shiftsMade = 0;
const firstShiftAt = Date.now() + 40 * 86_400_000;
/** A maintenance window at a site nobody belongs to: running from now, or tomorrow. */
function maintenanceWindow(running: boolean) {
  const start = Date.now() + (running ? 0 : 24 * 3_600_000);
  return { title: 'Matrix window', category: null, siteIds: ['matrix-nowhere'], startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString() };
}

/** A window for an allowed call to change (made by the lead), or an id nobody has for a refused one. */
async function windowFor(ctx: CallContext, running: boolean): Promise<string> {
  if (!ctx.allowed) return randomUUID();
  return ((await expectOk('a maintenance window', asLead(ctx.w)('POST', '/api/v1/maintenance-windows', maintenanceWindow(running)))) as { id: string }).id;
}

/** A weekly rotation of the tier-2 team's lead, far in the future so no ticket of the matrix meets it. */
function rotation() {
  return { participants: ['lee.lead'], handoffWeekday: 'mon', handoffTime: '09:00', lengthDays: 7, timeZone: 'America/New_York', startDate: '2040-01-01' };
}

function shift() {
  const start = firstShiftAt + shiftsMade++ * 2 * 3_600_000;
  return { username: 'alex.agent', startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString() };
}

/** The own and foreign objects a caller is checked against, per kind of route. */
export function targetsFor(objects: Objects, caller: CallerName, w: World): { scope: Scope; ticketKind: TicketKind; userId: string }[] {
  const u = w.fixtures.users;
  if (objects === 'none') return [{ scope: 'own', ticketKind: 'north', userId: u.agent }];
  if (objects === 'user') {
    return [
      { scope: 'own', ticketKind: 'north', userId: u.agent },
      { scope: 'foreign', ticketKind: 'north', userId: u.admin },
    ];
  }
  const pairs: [Scope, TicketKind][] =
    objects === 'vendorTicket'
      ? [['own', 'acme'], ['foreign', 'north']]
      : caller === 'nurse'
        ? [['own', 'north'], ['foreign', 'south']]
        : caller === 'otherNurse'
          ? [['own', 'south'], ['foreign', 'north']]
          : caller === 'vendor'
            ? [['own', 'acme'], ['foreign', 'north'], ['foreign', 'beta']]
            : caller === 'otherVendor'
              ? [['own', 'beta'], ['foreign', 'acme'], ['foreign', 'north']]
              : [['own', 'north'], ['foreign', 'south']];
  return pairs.map(([scope, ticketKind]) => ({ scope, ticketKind, userId: u.agent }));
}

