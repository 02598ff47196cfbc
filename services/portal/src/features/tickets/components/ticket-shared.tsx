import { useId, useState, type FormEvent } from 'react';
import { api, ApiError, type TokenSource } from '../../../lib/api.js';
import type { Identity } from '../../../lib/auth.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { NOTE_KIND_LABELS } from '../../../lib/labels.js';
import type { Comment, Delivery, EscalationState, Ticket, TimelineEntry } from '../../../lib/types.js';

export interface TicketData {
  ticket: Ticket;
  escalation: EscalationState | null;
  comments: Comment[];
  timeline: TimelineEntry[];
  /** null: the notification service could not be asked. */
  deliveries: Delivery[] | null;
}

export interface ActionProps {
  getToken: TokenSource;
  onDone: (r: { ticket: Ticket; escalation?: EscalationState }) => void;
}

/** Runs one ticket action; returns an error message for the form, or null when it worked. */
export async function runAction(getToken: TokenSource, ticketId: string, action: string, body: unknown): Promise<{ ok: true; result: { ticket: Ticket; escalation: EscalationState } } | { ok: false; message: string }> {
  try {
    const result = await api<{ ticket: Ticket; escalation: EscalationState }>(getToken, `/api/v1/tickets/${encodeURIComponent(ticketId)}/${action}`, { method: 'POST', body });
    return { ok: true, result };
  } catch (err) {
    if (err instanceof ApiError) {
      const field = err.details[0];
      return { ok: false, message: field ? `${err.message} (${field.path}: ${field.message})` : err.message };
    }
    return { ok: false, message: 'That did not work. Please try again.' };
  }
}

/** Comments, oldest first, and a form to add one. IT may choose an internal note. */
export function Conversation({ comments, ticket, identity, getToken, onDone, allowInternal = false }: { comments: Comment[]; ticket: Ticket; identity: Identity; allowInternal?: boolean } & ActionProps) {
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'internal'>('public');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idBase = useId();
  const closed = ticket.status === 'closed';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) {
      setError('Write a comment first.');
      return;
    }
    setBusy(true);
    const r = await runAction(getToken, ticket.id, 'comments', { body: body.trim(), visibility });
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setError(null);
    setBody('');
    setSent(visibility === 'internal' ? 'Internal note added.' : 'Comment sent.');
    onDone(r.result);
  };

  const author = (c: Comment) => (c.authorId === identity.id ? 'You' : c.authorRole === 'clinic_staff' ? (c.authorId === ticket.requesterId ? 'The requester' : 'Clinic staff') : c.authorRole === 'vendor' ? 'Vendor' : 'IT');

  return (
    <section className="card" aria-labelledby={`${idBase}-h`}>
      <h2 id={`${idBase}-h`}>{allowInternal ? 'Comments and notes' : 'Comments'}</h2>
      {comments.length === 0 ? (
        <p className="empty">No comments yet.</p>
      ) : (
        <ol className="comments">
          {comments.map((c) => (
            <li key={c.id} className={`comment${c.visibility === 'internal' ? ' comment--internal' : ''}`}>
              <p className="comment__meta">
                <strong>{author(c)}</strong>
                {c.kind !== 'comment' && NOTE_KIND_LABELS[c.kind] && <span className="tag">{NOTE_KIND_LABELS[c.kind]}</span>}
                {c.visibility === 'internal' && c.kind === 'comment' && <span className="tag tag--internal">Internal note</span>} · <When iso={c.createdAt} />
              </p>
              <p className="comment__body">{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      {!closed && (
        <form className="form comment-form" onSubmit={(e) => void submit(e)} noValidate>
          {error && <ErrorNotice>{error}</ErrorNotice>}
          <p className="visually-hidden" role="status">
            {sent}
          </p>
          {allowInternal && (
            <fieldset className="field">
              <legend>Who can read it?</legend>
              <div className="radios radios--inline">
                <div className="radio">
                  <input id={`${idBase}-public`} type="radio" name={`${idBase}-vis`} checked={visibility === 'public'} onChange={() => setVisibility('public')} />
                  <label htmlFor={`${idBase}-public`}>Public reply (the requester sees it)</label>
                </div>
                <div className="radio">
                  <input id={`${idBase}-internal`} type="radio" name={`${idBase}-vis`} checked={visibility === 'internal'} onChange={() => setVisibility('internal')} />
                  <label htmlFor={`${idBase}-internal`}>Internal note (IT only)</label>
                </div>
              </div>
            </fieldset>
          )}
          <div className="field">
            <label htmlFor={`${idBase}-body`}>{allowInternal ? (visibility === 'internal' ? 'Internal note' : 'Public reply') : 'Add a comment'}</label>
            {!allowInternal && (
              <p className="hint" id={`${idBase}-hint`}>
                IT reads this. Do not include patient names or record numbers.
              </p>
            )}
            <textarea id={`${idBase}-body`} rows={3} maxLength={10_000} value={body} onChange={(e) => setBody(e.target.value)} aria-describedby={allowInternal ? undefined : `${idBase}-hint`} />
          </div>
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              {allowInternal && visibility === 'internal' ? 'Add internal note' : allowInternal ? 'Send reply' : 'Send comment'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
