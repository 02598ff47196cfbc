import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { Identity } from '../../../lib/auth.js';
import type { ActionBody, TicketAction } from '../api/tickets.js';
import type { Priority, Ticket } from '../../../lib/api/types.js';

const OPEN = (t: Ticket) => t.status !== 'resolved' && t.status !== 'closed';

/** Runs a ticket action; resolves to whether it worked, so a form can clear itself. */
export type Act = <A extends TicketAction>(action: A, body: ActionBody<A>, done: string) => Promise<boolean>;

/** `awaitingPickup`: the ticket was reopened and nobody acknowledged it since (decision 38). */
export function Actions({ ticket: t, identity, busy, act, awaitingPickup = false }: { ticket: Ticket; identity: Identity; busy: boolean; act: Act; awaitingPickup?: boolean }) {
  const open = OPEN(t);
  return (
    <div className="actions">
      <div className="actions__quick">
        {open && !t.acknowledgedAt && (
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void act('acknowledge', {}, 'acknowledged.')}>
            Acknowledge
          </button>
        )}
        {open && t.acknowledgedAt && awaitingPickup && (
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void act('acknowledge', {}, 'picked up again.')}>
            Pick up again
          </button>
        )}
        {open && t.assigneeId !== identity.id && (
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act('assign', { assigneeId: identity.id }, 'assigned to you.')}>
            Assign to me
          </button>
        )}
        {t.status === 'waiting_on_requester' && (
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act('resume', {}, 'resumed; the clocks run again.')}>
            Resume
          </button>
        )}
        {t.status === 'resolved' && (
          <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act('close', {}, 'closed.')}>
            Close
          </button>
        )}
      </div>
      {open && (
        <>
          <PriorityForm ticket={t} busy={busy} act={act} />
          <AssignForm ticket={t} busy={busy} act={act} />
          {t.status !== 'waiting_on_requester' && (
            <ReasonForm title="Wait on requester" label="What do you need from the requester? (optional)" submit="Wait on requester" optional busy={busy} onSubmit={(reason) => act('wait-on-requester', reason ? { reason } : {}, 'waiting on the requester; clocks paused.')} />
          )}
          <VendorForm busy={busy} act={act} />
          <ReasonForm title="Resolve" label="Resolution (required)" submit="Resolve" busy={busy} onSubmit={(resolution) => act('resolve', { resolution }, 'resolved.')} />
        </>
      )}
      {t.status === 'resolved' && <ReasonForm title="Reopen" label="Why reopen? (required)" submit="Reopen" busy={busy} onSubmit={(reason) => act('reopen', { reason }, 'reopened.')} />}
    </div>
  );
}

function Disclosure({ title, children }: { title: string; children: ReactNode }) {
  return (
    <details className="disclosure">
      <summary>{title}</summary>
      <div className="disclosure__body">{children}</div>
    </details>
  );
}

function ReasonForm({ title, label, submit, optional = false, busy, onSubmit }: { title: string; label: string; submit: string; optional?: boolean; busy: boolean; onSubmit: (text: string) => Promise<boolean> }) {
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!optional && text.trim().length < 3) {
      setInvalid('Enter at least 3 characters.');
      return;
    }
    setInvalid(null);
    if (await onSubmit(text.trim())) setText('');
  };
  return (
    <Disclosure title={title}>
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        <div className={`field${invalid ? ' field--error' : ''}`}>
          <label htmlFor={id}>{label}</label>
          {invalid && (
            <p className="field-error" id={`${id}-err`}>
              {invalid}
            </p>
          )}
          <textarea id={id} rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={invalid ? true : undefined} aria-describedby={invalid ? `${id}-err` : undefined} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          {submit}
        </button>
      </form>
    </Disclosure>
  );
}

function PriorityForm({ ticket, busy, act }: { ticket: Ticket; busy: boolean; act: Act }) {
  const [priority, setPriority] = useState<Priority>(ticket.priority);
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (priority === ticket.priority) return setInvalid('Choose a different priority.');
    if (reason.trim().length < 3) return setInvalid('A reason of at least 3 characters is required.');
    setInvalid(null);
    if (await act('priority', { priority, reason: reason.trim() }, `priority changed to ${priority}; deadlines recomputed.`)) setReason('');
  };
  return (
    <Disclosure title="Change priority">
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-p`}>New priority</label>
          <select id={`${id}-p`} value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            {(['P1', 'P2', 'P3', 'P4'] as const).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`}>Reason (required)</label>
          <textarea id={`${id}-r`} rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          Change priority
        </button>
      </form>
    </Disclosure>
  );
}

function AssignForm({ ticket, busy, act }: { ticket: Ticket; busy: boolean; act: Act }) {
  const [teamId, setTeamId] = useState(ticket.teamId ?? '');
  const [assigneeId, setAssigneeId] = useState('');
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, string | null> = { teamId: teamId.trim() || null };
    if (assigneeId.trim()) body['assigneeId'] = assigneeId.trim();
    await act('assign', body, 'assignment changed.');
  };
  return (
    <Disclosure title="Assign">
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-t`}>Team</label>
          <input id={`${id}-t`} type="text" value={teamId} onChange={(e) => setTeamId(e.target.value)} placeholder="e.g. it-tier2" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-a`}>Person (user id, optional)</label>
          <input id={`${id}-a`} type="text" value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          Assign
        </button>
      </form>
    </Disclosure>
  );
}

function VendorForm({ busy, act }: { busy: boolean; act: Act }) {
  const [vendorOrgId, setVendorOrgId] = useState('acme-it');
  const [reason, setReason] = useState('');
  const id = useId();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    await act('hand-to-vendor', { vendorOrgId: vendorOrgId.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) }, `handed to ${vendorOrgId.trim()}; the vendor contract clock started.`);
  };
  return (
    <Disclosure title="Hand to vendor">
      <form className="form" onSubmit={(e) => void send(e)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-v`}>Vendor organisation</label>
          <input id={`${id}-v`} type="text" value={vendorOrgId} onChange={(e) => setVendorOrgId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`}>Reason (optional)</label>
          <textarea id={`${id}-r`} rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary" disabled={busy || !vendorOrgId.trim()}>
          Hand to vendor
        </button>
      </form>
    </Disclosure>
  );
}
