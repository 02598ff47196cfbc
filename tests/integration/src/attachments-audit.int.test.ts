import { describe, expect, it } from 'vitest';
import { demoTokens, subjectOf } from '@tierline/test-fixtures';
import { api, eventually, sliceTest, type Slice } from './harness.js';
import { attachmentUpload } from './authz-matrix-world.js';

/**
 * Attachments end to end: a ticket opened through the API (its workflow running), a file attached,
 * marked for the vendor and downloaded; every download, and the upload and the marking, land in
 * the real audit log through the real audit consumer, naming ids and never the file's name or
 * content (docs/decisions/0037).
 */
const test = sliceTest('attachaudit');

describe('attachments in the audit trail', () => {
  let slice: Slice;
  let tokens: Record<'nurse' | 'agent' | 'admin', string>;
  let ticket: { id: string; number: string };
  const FILE_NAME = 'mrs-example-wristband.txt';

  const rows = (type: string) =>
    slice.auditSql<{ actor_id: string; actor_role: string; content: string }[]>`
      select actor_id, actor_role, content from audit_log where event_type = ${type} and ticket_id = ${ticket.id} order by seq`;

  test.beforeAll(async ({ slice: running }) => {
    slice = running;
    tokens = await demoTokens({ nurse: 'nora.nurse', agent: 'alex.agent', admin: 'ada.admin' });
    const created = await api(slice.baseUrl, tokens.nurse)('POST', '/api/v1/tickets', {
      title: 'Wristband printer smudges',
      description: 'See the attached log',
      category: 'printer_scanner',
      siteId: 'north',
      impact: 'one_user',
      urgency: 'medium',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ticket = created.body;
  });

  it('records the upload, the vendor marking and each download, with ids only', async () => {
    const up = await api(slice.baseUrl, tokens.nurse)('POST', `/api/v1/tickets/${ticket.id}/attachments`, ...attachmentUpload(FILE_NAME, 'printer said: ribbon low, patient DOB 1950-01-01\n'));
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const id = up.body.id as string;
    expect((await api(slice.baseUrl, tokens.agent)('PATCH', `/api/v1/tickets/${ticket.id}/attachments/${id}`, { vendorVisible: true })).status).toBe(200);
    for (const token of [tokens.nurse, tokens.agent, tokens.admin, tokens.nurse]) {
      const res = await fetch(`${slice.baseUrl}/api/v1/tickets/${ticket.id}/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('ribbon low');
    }

    const reads = await eventually('four attachment_read rows', async () => {
      const r = await rows('ticket.attachment_read');
      return r.length >= 4 ? r : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await rows('ticket.attachment_read')).toHaveLength(4);
    expect(reads.map((r) => [r.actor_id, r.actor_role])).toEqual([
      [subjectOf(tokens.nurse), 'clinic_staff'],
      [subjectOf(tokens.agent), 'it_agent'],
      [subjectOf(tokens.admin), 'admin'],
      [subjectOf(tokens.nurse), 'clinic_staff'],
    ]);
    for (const r of reads) expect((JSON.parse(r.content) as { data: unknown }).data).toEqual({ number: ticket.number, attachmentId: id });

    const [added] = await eventually('the attachment_added row', async () => {
      const r = await rows('ticket.attachment_added');
      return r.length ? r : undefined;
    });
    expect((JSON.parse(added!.content) as { data: unknown }).data).toEqual({ number: ticket.number, attachmentId: id, contentType: 'text/plain', sizeBytes: expect.any(Number), vendorVisible: false });
    const [marked] = await eventually('the visibility row', async () => {
      const r = await rows('ticket.attachment_visibility_changed');
      return r.length ? r : undefined;
    });
    expect(marked).toMatchObject({ actor_id: subjectOf(tokens.agent), actor_role: 'it_agent' });

    // Neither the file's name nor its content is in any audit row of the ticket.
    const all = await slice.auditSql<{ content: string }[]>`select content from audit_log where ticket_id = ${ticket.id}`;
    for (const r of all) {
      expect(r.content).not.toContain('wristband.txt');
      expect(r.content).not.toContain('ribbon low');
    }
  });
});
