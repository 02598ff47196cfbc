import { useId, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { ApiError } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import { isIt, type Identity } from '../../../lib/auth.js';
import { ErrorNotice, When } from '../../../components/ui.js';
import { errorMessage } from '../../../lib/query-client.js';
import { saveAttachment, useAttachments, useMarkForVendor, useUploadAttachment } from '../api/attachments.js';
import { ACCEPT, checkChosenFiles, formatSize, typeLabel } from '../logic/attachments.js';

/** Who adds files: the ticket's own people; admins and auditors only read. */
function mayUpload(identity: Identity): boolean {
  return ['clinic_staff', 'it_agent', 'it_lead', 'vendor'].some((r) => identity.roles.includes(r));
}

/**
 * A ticket's attachments: the list (name, type, size, when), a download button for each, for IT a
 * "vendor may see it" switch, and a file input to add more. Files the server refused are listed
 * with the server's own sentence. Files refused while the ticket was being reported arrive in the
 * page's navigation state (`attachmentProblems`).
 */
export function Attachments({ ticketId, identity }: { ticketId: string; identity: Identity }) {
  const api = useApi();
  const list = useAttachments(ticketId);
  const upload = useUploadAttachment(ticketId);
  const mark = useMarkForVendor(ticketId);
  const fromReport = (useLocation().state as { attachmentProblems?: unknown } | null)?.attachmentProblems;
  const [problems, setProblems] = useState<string[]>(Array.isArray(fromReport) ? fromReport.filter((p): p is string => typeof p === 'string') : []);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const idBase = useId();
  const it = isIt(identity);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const files = Array.from(input.current?.files ?? []);
    if (files.length === 0 || !list.data) {
      setProblems(['Choose one or more files first.']);
      return;
    }
    setBusy(true);
    setStatus('');
    const { send: ok, refused } = checkChosenFiles(files, list.data.limits, list.data.items.length);
    const failed = [...refused];
    let added = 0;
    for (const i of ok) {
      try {
        await upload.mutateAsync(files[i]!);
        added += 1;
      } catch (err) {
        failed.push(err instanceof ApiError && err.status !== 401 && err.status < 500 ? err.message : `${files[i]!.name}: ${errorMessage(err, 'could not be sent. Please try again.')}`);
      }
    }
    setBusy(false);
    setProblems(failed);
    setStatus(added > 0 ? `${added} file${added === 1 ? '' : 's'} attached.` : '');
    if (input.current) input.current.value = '';
  };

  const open = async (attachmentId: string, fileName: string) => {
    try {
      await saveAttachment(api, ticketId, attachmentId, fileName);
    } catch (err) {
      setProblems([errorMessage(err, `${fileName} could not be downloaded. Please try again.`)]);
    }
  };

  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby={`${idBase}-heading`} data-testid="attachments">
      <h2 id={`${idBase}-heading`}>Attachments</h2>
      {list.isError && <ErrorNotice>{errorMessage(list.error, 'The attachments could not be loaded.')}</ErrorNotice>}
      {problems.length > 0 && (
        <div className="notice notice--error" role="alert" data-testid="attachment-problems">
          <p>{problems.length === 1 ? 'A file was not attached:' : 'Some files were not attached:'}</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {items.length === 0 && list.isSuccess && <p className="hint">No files attached.</p>}
      {items.length > 0 && (
        <ul className="attachments">
          {items.map((a) => (
            <li key={a.id} className="attachment" data-testid="attachment">
              <span className="attachment__name">{a.fileName}</span>{' '}
              <span className="hint">
                {typeLabel(a.contentType)}, {formatSize(a.sizeBytes)}, added <When iso={a.uploadedAt} />
              </span>{' '}
              <button type="button" className="button" onClick={() => void open(a.id, a.fileName)} aria-label={`Download ${a.fileName}`}>
                Download
              </button>
              {it && (
                <span className="field--checkbox attachment__vendor">
                  <input
                    id={`${idBase}-vendor-${a.id}`}
                    type="checkbox"
                    checked={a.vendorVisible}
                    disabled={mark.isPending}
                    onChange={(e) =>
                      mark.mutate(
                        { attachmentId: a.id, vendorVisible: e.target.checked },
                        { onError: (err) => setProblems([errorMessage(err, 'The change was not saved. Please try again.')]) },
                      )
                    }
                  />
                  <label htmlFor={`${idBase}-vendor-${a.id}`}>Vendor may see it</label>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayUpload(identity) && (
        <form className="form" onSubmit={(e) => void send(e)} aria-busy={busy}>
          <div className="field">
            <label htmlFor={`${idBase}-files`}>Add files</label>
            <p className="hint" id={`${idBase}-hint`}>
              Screenshots, photos, PDFs or log files
              {list.data ? `, up to ${formatSize(list.data.limits.maxBytes)} each` : ''}. Location and camera details are removed from photos.
            </p>
            <input id={`${idBase}-files`} ref={input} type="file" multiple accept={ACCEPT} aria-describedby={`${idBase}-hint`} />
          </div>
          <div className="form__actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? 'Attaching…' : 'Attach'}
            </button>
          </div>
          <p className="visually-hidden" role="status">
            {status}
          </p>
        </form>
      )}
    </section>
  );
}
