import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { PageHeading } from '../../../components/PageHeading.js';
import { ErrorNotice } from '../../../components/ui.js';
import { CATEGORIES } from '../../../lib/labels.js';
import { incidentRefusal, useCreateIncident } from '../api/incidents.js';

/** IT declares a major incident from nothing: its ticket opens at P1 and is the incident at once. */
export function DeclareIncidentPage() {
  const create = useCreateIncident();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState('ehr');
  const [siteId, setSiteId] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ids = { title: useId(), category: useId(), site: useId(), description: useId() };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (title.trim().length < 3) return setError('Give the incident a title (at least 3 characters).');
    if (siteId.trim() === '') return setError('Name the site, for example “north”.');
    setError(null);
    try {
      const r = await create.mutateAsync({ title: title.trim(), category, siteId: siteId.trim(), description: description.trim() });
      void navigate(`/tickets/${r.ticket.id}`);
    } catch (err) {
      const r = incidentRefusal(err);
      setError(r.ok ? null : r.message);
    }
  };
  return (
    <>
      <PageHeading>Declare a major incident</PageHeading>
      <p>For an outage IT knows about before anyone reports it. The incident opens as a P1 ticket; reports that come in can then be linked to it.</p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <form className="form card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input id={ids.title} type="text" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.category}>Kind of problem</label>
          <select id={ids.category} value={category} onChange={(e) => setCategory(e.target.value)}>
            {CATEGORIES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.site}>Site</label>
          <input id={ids.site} type="text" autoComplete="off" value={siteId} onChange={(e) => setSiteId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.description}>Details (optional)</label>
          <textarea id={ids.description} rows={3} maxLength={5000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            Declare major incident
          </button>
        </div>
      </form>
    </>
  );
}
