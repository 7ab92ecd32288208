import { type FormEvent, useId, useState } from 'react';
import { ApiError, failureMessage } from '../../shared/api.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useInvalidate } from '../../shared/query-cache.ts';
import { navigate, paths } from '../../shared/router.tsx';
import type { Ticket } from '../../shared/types.ts';
import { deskApi } from '../desk-api.ts';

/**
 * Merging this ticket, a duplicate, into the one that stays: looked up by number and confirmed
 * first, because it closes this ticket and writes to its requester.
 */
export function MergePanel({ ticket, onConflict }: { ticket: Ticket; onConflict: () => void }) {
  const { api } = usePortal();
  const invalidate = useInvalidate();
  const id = useId();
  const [number, setNumber] = useState('');
  const [target, setTarget] = useState<Ticket>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function find(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(undefined);
    setTarget(undefined);
    const wanted = number.trim().toUpperCase();
    if (!/^(INC|REQ)\d{7,}$/.test(wanted)) return setError('Enter a ticket number such as INC0001042.');
    if (wanted === ticket.number) return setError('That is this ticket; enter the one that stays.');
    setBusy(true);
    try {
      setTarget(await api.findTicketByNumber(wanted));
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 404
          ? `No ticket ${wanted} that you work.`
          : failureMessage(failure, 'The ticket could not be looked up.'),
      );
    } finally {
      setBusy(false);
    }
  }

  async function merge(into: Ticket) {
    setBusy(true);
    setError(undefined);
    try {
      await deskApi(api).merge(ticket.id, { into: into.id, version: ticket.version });
      invalidate(`ticket:${ticket.id}`, `ticket:${into.id}`, `history:`, 'tickets:');
      navigate(paths.workspace(into.id), { note: { mergedFrom: ticket.number } });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) onConflict();
      const fields = failure instanceof ApiError ? failure.fields.map((f) => `${f.path} ${f.message}`) : [];
      setError([failureMessage(failure, 'The tickets could not be merged.'), ...fields].join(': '));
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Merge a duplicate</h2>
      <form onSubmit={find} noValidate>
        <div className="field">
          <label htmlFor={`${id}-number`}>Merge this ticket into</label>
          <p className="hint" id={`${id}-hint`}>
            The number of the ticket that stays. This ticket's conversation, requester and watchers move
            there; this one closes as a duplicate and its requester is told by mail.
          </p>
          <input
            id={`${id}-number`}
            value={number}
            onChange={(e) => setNumber(e.currentTarget.value)}
            aria-describedby={`${id}-hint`}
            autoComplete="off"
            placeholder="INC0001042"
          />
        </div>
        <button type="submit" className="button button-secondary" disabled={busy}>
          Find ticket
        </button>
      </form>
      {target && (
        <div className="merge-confirm">
          <p>
            Merge <strong>{ticket.number}</strong> into <strong>{target.number}</strong> (
            {target.shortDescription})?
          </p>
          <div className="form-actions">
            <button type="button" className="button" disabled={busy} onClick={() => void merge(target)}>
              {busy ? 'Merging…' : `Merge into ${target.number}`}
            </button>
            <button type="button" className="link-button" onClick={() => setTarget(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
