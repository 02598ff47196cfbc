import { useId, useState, type FormEvent } from 'react';
import type { Identity } from '../../../lib/auth.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { NOTE_KIND_LABELS } from '../../../lib/labels.js';
import type { Comment, Ticket } from '../../../lib/api/types.js';
import { useTicketActions } from '../api/tickets.js';

/** Comments, oldest first, and a form to add one. IT may choose an internal note. */
export function Conversation({ comments, ticket, identity, allowInternal = false }: { comments: Comment[]; ticket: Ticket; identity: Identity; allowInternal?: boolean }) {
  const { comment } = useTicketActions(ticket.id);
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
    const r = await comment({ body: body.trim(), visibility });
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setError(null);
    setBody('');
    setSent(visibility === 'internal' ? 'Internal note added.' : 'Comment sent.');
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
