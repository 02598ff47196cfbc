import { useState } from 'react';
import type { Identity } from '../../../lib/auth.js';
import { Countdown } from '../../../components/ui.js';
import { useNow } from '../../../lib/live.js';
import { useTicketActions, type TicketData } from '../api/tickets.js';

/**
 * On a ticket escalated to the vendor's organisation: the contract clocks and the vendor's
 * acknowledgement, which stops the response clock and starts the resolution clock.
 */
export function VendorPanel({ data, identity }: { data: TicketData; identity: Identity }) {
  const { run } = useTicketActions(data.ticket.id);
  const now = useNow(1000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!identity.roles.includes('vendor') || data.ticket.tier !== 3) return null;
  const clock = (n: 'vendor_response' | 'vendor_resolution') => data.escalation?.clocks.find((c) => c.name === n);
  const response = clock('vendor_response');
  const resolution = clock('vendor_resolution');
  const acknowledged = response?.state === 'stopped';

  const acknowledge = async () => {
    setBusy(true);
    const r = await run('vendor-acknowledge', {});
    setBusy(false);
    setError(r.ok ? null : r.message);
  };

  return (
    <section className="card" aria-labelledby="vendor-heading" data-testid="vendor-panel">
      <h2 id="vendor-heading">Your contract</h2>
      <div aria-live="polite">
        {acknowledged ? (
          <p data-testid="vendor-state">
            <strong>Acknowledged.</strong> The resolution clock is running
            {resolution?.state === 'running' && (
              <>
                {' '}
                – resolution due <Countdown deadline={resolution.deadlineAt} now={now} prefix="resolution due" />
              </>
            )}
            .
          </p>
        ) : (
          <p data-testid="vendor-state">
            Not acknowledged yet. Response due{' '}
            {response?.state === 'running' ? <Countdown deadline={response.deadlineAt} now={now} prefix="response due" /> : <span>(clock {response?.state.replace('_', ' ') ?? 'unknown'})</span>}.
          </p>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!acknowledged && (
        <button type="button" className="button button--primary" disabled={busy} onClick={() => void acknowledge()}>
          Acknowledge for your organisation
        </button>
      )}
    </section>
  );
}
