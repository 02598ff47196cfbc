// The demo's worked tickets: what a clinic's IT looks like on an ordinary morning. Each ticket is
// opened by a demo nurse through the ticket API and then worked through the same API by the demo
// IT agent, IT lead, vendor and the nurse herself, so every step runs through the ticket's workflow
// and lands in the timeline, the read model, the audit log and the notifications like any other
// (decision 47). Nothing is written to a table.
//
// Idempotent: each ticket is opened with a fixed Idempotency-Key, and a ticket the API says it has
// already opened (the `idempotent-replayed` header) is not worked again, so a second run adds
// nothing. The history cannot lie in the past: every clock here runs forward (decision 47).

/** @typedef {'nora.nurse' | 'sam.staff' | 'alex.agent' | 'lee.lead' | 'val.vendor'} DemoUser */
/**
 * A step is `POST /api/v1/tickets/<id>/<do>` (comments: `comments`) with the step's other fields as
 * the body. `refs` puts the id of another demo ticket, opened earlier in the list, into a body
 * field: e.g. `{ as: 'lee.lead', do: 'children', refs: { ticketId: 'wifi-exam-rooms' } }` links it
 * as a child of a major incident, once the incident routes exist (issue 14).
 * @typedef {{ as: DemoUser, refs?: Record<string, string> } & (
 *   | { do: 'acknowledge' | 'resume' | 'close' | 'vendor-acknowledge' }
 *   | { do: 'comment', body: string, visibility?: 'public' | 'internal' }
 *   | { do: 'wait-on-requester', reason: string }
 *   | { do: 'hand-to-vendor', vendorOrgId: string, reason: string }
 *   | { do: 'resolve', resolution: string }
 *   | { do: 'reopen', reason: string }
 *   | { do: 'declare-incident' }
 *   | { do: 'incident-status', message: string, nextUpdateInMinutes: number }
 *   | { do: string, [field: string]: unknown }
 * )} Step
 */
/**
 * `childOf` names the demo ticket (a major incident, declared by its own steps) that the IT lead
 * links this one to as soon as it is opened. A step with `on` acts on that other demo ticket
 * instead of this one; `nextUpdateInMinutes` becomes a `nextUpdateAt` that many minutes from now.
 * @typedef {{ key: string, by: DemoUser, siteId: string, title: string, category: string,
 *   impact: 'one_user' | 'department' | 'whole_site', urgency: 'low' | 'medium' | 'high',
 *   patientCareAffected: boolean, description: string, steps: Step[], ends: string, childOf?: string }} DemoTicket
 */

/** @type {DemoTicket[]} `ends` is the status the steps leave the ticket in. */
export const DEMO_HISTORY = [
  {
    key: 'eprescribing',
    by: 'nora.nurse',
    siteId: 'north',
    title: 'Cannot sign prescriptions in the EHR',
    category: 'ehr',
    impact: 'department',
    urgency: 'high',
    patientCareAffected: true,
    description: 'Signing an e-prescription fails with "certificate not valid" for everyone on the ward.',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'comment', body: 'Looking at it now: the e-prescribing certificate of the ward expired overnight.' },
      { as: 'alex.agent', do: 'resolve', resolution: 'Renewed the ward\'s e-prescribing certificate; signing works again.' },
      { as: 'nora.nurse', do: 'close' },
    ],
    ends: 'closed',
  },
  {
    key: 'wristbands',
    by: 'sam.staff',
    siteId: 'south',
    title: 'Wristband printer jams at admissions',
    category: 'printer_scanner',
    impact: 'one_user',
    urgency: 'medium',
    patientCareAffected: false,
    description: 'Every second wristband jams half-way out.',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'wait-on-requester', reason: 'Which desk is it at, and which label roll is loaded?' },
      // Her answer resumes the ticket by itself.
      { as: 'sam.staff', do: 'comment', body: 'Desk 2, the new roll from the blue box.' },
      { as: 'alex.agent', do: 'resolve', resolution: 'The blue-box rolls need the other media setting; changed it on the desk 2 printer.' },
    ],
    ends: 'resolved',
  },
  {
    key: 'wifi-exam-rooms',
    by: 'nora.nurse',
    siteId: 'north',
    title: 'Wi-Fi drops in exam rooms 5 to 8',
    category: 'network',
    impact: 'department',
    urgency: 'high',
    patientCareAffected: false,
    description: 'Tablets lose the network for a minute or two, several times an hour.',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'comment', body: 'The access point for rooms 5 to 8 restarts every twenty minutes.', visibility: 'internal' },
      { as: 'lee.lead', do: 'hand-to-vendor', vendorOrgId: 'acme-it', reason: 'Access point of the north corridor restarts every 20 minutes; please check its firmware.' },
      { as: 'val.vendor', do: 'vendor-acknowledge' },
      { as: 'val.vendor', do: 'comment', body: 'Firmware update planned for tonight at 22:00.' },
    ],
    ends: 'waiting_on_vendor',
  },
  {
    key: 'locked-out',
    by: 'sam.staff',
    siteId: 'south',
    title: 'Locked out after changing my password',
    category: 'account_access',
    impact: 'one_user',
    urgency: 'high',
    patientCareAffected: false,
    description: 'The new password works on my laptop but not at the lab workstation.',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'resolve', resolution: 'Unlocked the account.' },
      { as: 'sam.staff', do: 'reopen', reason: 'Still refused at the lab workstation.' },
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'resolve', resolution: 'The lab workstation kept the old password cached; cleared it.' },
      { as: 'sam.staff', do: 'close' },
    ],
    ends: 'closed',
  },
  {
    key: 'front-desk-phone',
    by: 'nora.nurse',
    siteId: 'north',
    title: 'Front desk phone has no dial tone',
    category: 'phone',
    impact: 'one_user',
    urgency: 'medium',
    patientCareAffected: false,
    description: '',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'resolve', resolution: 'The cable had come out of the wall socket; plugged it back in.' },
    ],
    ends: 'resolved',
  },
  {
    key: 'vitals-monitor',
    by: 'nora.nurse',
    siteId: 'north',
    title: 'Vitals from the triage monitor do not reach the chart',
    category: 'medical_device',
    impact: 'department',
    urgency: 'high',
    patientCareAffected: true,
    description: 'Readings have to be typed in by hand since this morning.',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'comment', body: 'The interface engine queue for triage is stuck; restarting it with the EHR team.' },
    ],
    ends: 'acknowledged',
  },
  {
    key: 'pharmacy-monitor',
    by: 'sam.staff',
    siteId: 'south',
    title: 'A second monitor for the pharmacy desk',
    category: 'other',
    impact: 'one_user',
    urgency: 'low',
    patientCareAffected: false,
    description: 'To see the order list and the label screen at the same time.',
    steps: [
      { as: 'alex.agent', do: 'acknowledge' },
      { as: 'alex.agent', do: 'resolve', resolution: 'Installed a second monitor.' },
      { as: 'sam.staff', do: 'close' },
    ],
    ends: 'closed',
  },
  {
    key: 'radiology-scanner',
    by: 'sam.staff',
    siteId: 'south',
    title: 'Document scanner at radiology reception not found',
    category: 'hardware',
    impact: 'one_user',
    urgency: 'low',
    patientCareAffected: false,
    description: 'The PC says "no scanner connected".',
    steps: [],
    ends: 'new',
  },
  // One outage, one page: the EHR at South stopped for everyone, three people reported it, IT ran
  // it as one major incident and resolving it resolved the three reports (decision 40).
  {
    key: 'ehr-down-south',
    by: 'sam.staff',
    siteId: 'south',
    title: 'EHR will not open at reception',
    category: 'ehr',
    impact: 'whole_site',
    urgency: 'high',
    patientCareAffected: true,
    description: 'The EHR shows "service unavailable" on every reception PC.',
    steps: [
      { as: 'lee.lead', do: 'acknowledge' },
      { as: 'lee.lead', do: 'declare-incident' },
      { as: 'lee.lead', do: 'incident-status', message: 'EHR down at South; the vendor is engaged; paper forms at reception meanwhile.', nextUpdateInMinutes: 30 },
    ],
    ends: 'resolved',
  },
  {
    key: 'ehr-down-south-lab',
    by: 'sam.staff',
    siteId: 'south',
    title: 'Lab cannot see orders in the EHR',
    category: 'ehr',
    impact: 'department',
    urgency: 'high',
    patientCareAffected: true,
    description: 'The order list is empty and will not refresh.',
    steps: [],
    childOf: 'ehr-down-south',
    ends: 'resolved',
  },
  {
    key: 'ehr-down-south-pharmacy',
    by: 'sam.staff',
    siteId: 'south',
    title: 'Pharmacy EHR screen frozen',
    category: 'ehr',
    impact: 'one_user',
    urgency: 'high',
    patientCareAffected: true,
    description: 'Frozen on the loading screen since ten minutes.',
    childOf: 'ehr-down-south',
    steps: [
      { as: 'lee.lead', do: 'resolve', on: 'ehr-down-south', resolution: 'The EHR database failed over to its standby; the vendor restored the primary. Working again at every desk.' },
    ],
    ends: 'resolved',
  },
];

/**
 * The demo's planned downtime: the EHR upgrade next Sunday night at both clinics, scheduled by the
 * IT lead. New EHR tickets opened during it wait for its end before they escalate (decision 43).
 */
export const DEMO_MAINTENANCE = { title: 'EHR upgrade (planned downtime)', category: 'ehr', siteIds: ['north', 'south'] };

/** Next Sunday 22:00 UTC to Monday 02:00 UTC, at least a day away. */
export function nextSundayNight(now = Date.now()) {
  const d = new Date(now + 86_400_000);
  d.setUTCDate(d.getUTCDate() + ((7 - d.getUTCDay()) % 7));
  d.setUTCHours(22, 0, 0, 0);
  return { startsAt: d.toISOString(), endsAt: new Date(d.getTime() + 4 * 3_600_000).toISOString() };
}

/**
 * Schedules the demo's maintenance window through the API as the IT lead, unless a window of
 * that title is already scheduled or running. Returns whether it scheduled one.
 * @param {{ baseUrl: string, tokenOf: (user: DemoUser) => Promise<string> }} o
 */
export async function seedDemoMaintenance({ baseUrl, tokenOf }) {
  const headers = { authorization: `Bearer ${await tokenOf('lee.lead')}`, 'content-type': 'application/json' };
  const list = await fetch(`${baseUrl}/api/v1/maintenance-windows`, { headers });
  if (list.status !== 200) throw new Error(`GET /api/v1/maintenance-windows answered ${list.status} ${await list.text()}`);
  const { items } = /** @type {{ items: { title: string, endsAt: string, cancelledAt?: string | null }[] }} */ (await list.json());
  if (items.some((w) => w.title === DEMO_MAINTENANCE.title && !w.cancelledAt && Date.parse(w.endsAt) > Date.now())) return false;
  const res = await fetch(`${baseUrl}/api/v1/maintenance-windows`, { method: 'POST', headers, body: JSON.stringify({ ...DEMO_MAINTENANCE, ...nextSundayNight() }) });
  if (res.status !== 201) throw new Error(`POST /api/v1/maintenance-windows answered ${res.status} ${await res.text()}`);
  return true;
}

/**
 * Opens and works the demo tickets through the ticket API at `baseUrl` (the portal, or the ticket
 * service itself). `tokenOf(username)` returns a demo user's access token. Returns how many tickets
 * it opened and how many were already there.
 * @param {{ baseUrl: string, tokenOf: (user: DemoUser) => Promise<string>, log?: (line: string) => void, tickets?: DemoTicket[] }} o
 */
export async function seedDemoHistory({ baseUrl, tokenOf, log = () => undefined, tickets = DEMO_HISTORY }) {
  /** @param {DemoUser} user @param {string} path @param {unknown} body @param {Record<string, string>} [headers] */
  const call = async (user, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf(user)}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299) throw new Error(`${user}: POST ${path} answered ${res.status} ${text}`);
    return { res, body: text ? JSON.parse(text) : null };
  };
  let opened = 0;
  let existing = 0;
  /** @type {Map<string, string>} demo key → ticket id */
  const ids = new Map();
  for (const t of tickets) {
    const { key, by, steps, ends, childOf, ...fields } = t;
    const { res, body: ticket } = await call(by, '/api/v1/tickets', fields, { 'idempotency-key': `demo-history-${key}` });
    ids.set(key, ticket.id);
    if (res.headers.get('idempotent-replayed') === 'true') {
      existing++;
      continue;
    }
    opened++;
    /** @param {string} ref */
    const idOf = (ref) => {
      if (!ids.has(ref)) throw new Error(`demo ticket "${key}" refers to "${ref}", which is not opened before it`);
      return /** @type {string} */ (ids.get(ref));
    };
    if (childOf) await call('lee.lead', `/api/v1/tickets/${idOf(childOf)}/children`, { ticketId: ticket.id });
    for (const step of steps) {
      const { as, do: action, refs = {}, on, nextUpdateInMinutes, ...rest } = step;
      const body = { ...rest };
      for (const [field, ref] of Object.entries(refs)) body[field] = idOf(ref);
      if (typeof nextUpdateInMinutes === 'number') body.nextUpdateAt = new Date(Date.now() + nextUpdateInMinutes * 60_000).toISOString();
      const target = typeof on === 'string' ? idOf(on) : ticket.id;
      await call(as, `/api/v1/tickets/${target}/${action === 'comment' ? 'comments' : action}`, body);
    }
    log(`demo ticket ${ticket.number} (${ticket.priority}) opened and worked to "${ends}"`);
  }
  return { opened, existing };
}
