import { type FormEvent, useId, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { Dialog, ErrorNotice, Notice } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import type { Ticket, TicketChange } from '../shared/types.ts';

/** A group id as a person reads it: `service-desk` → "Service desk". */
const teamName = (group: string) => {
  const words = group.replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Who is working on the ticket, as the requester should read it. */
export function workingOn(ticket: Ticket): string {
  if (ticket.assignee)
    return `${ticket.assignee.name ?? ticket.assignee.email}${ticket.assignmentGroup ? ` (${teamName(ticket.assignmentGroup)})` : ''}`;
  if (ticket.assignmentGroup)
    return `The ${teamName(ticket.assignmentGroup)} team; nobody has picked it up yet`;
  return 'Nobody has picked it up yet';
}

/** What Spoke is waiting for, said plainly; the requester's answer first of all. */
export function WaitingFor({ ticket }: { ticket: Ticket }) {
  if (ticket.state !== 'on_hold') return null;
  if (ticket.holdReason === 'awaiting_caller')
    return (
      <div className="notice notice-action" role="note">
        <p>
          <strong>We need your answer.</strong> The service desk asked you something below; the ticket waits
          until you reply (here or to the mail).
        </p>
        <p>
          <a href="#your-reply">Write your reply</a>
        </p>
      </div>
    );
  return (
    <Notice tone="info">
      <p>
        On hold: waiting for {ticket.holdReason === 'awaiting_change' ? 'a planned change' : 'a supplier'}.
        Nothing is needed from you.
      </p>
    </Notice>
  );
}

/** The requester's own controls: add a colleague to keep informed, or cancel the ticket. */
export function RequesterActions(props: { ticket: Ticket; onChanged: (ticket: Ticket) => void }) {
  const { ticket, onChanged } = props;
  const { api } = usePortal();
  const id = useId();
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(change: Omit<TicketChange, 'version'>, done: string) {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    try {
      onChanged(await api.updateTicket(ticket.id, { version: ticket.version, ...change }));
      setMessage(done);
      return true;
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return false;
      if (failure instanceof ApiError && failure.status === 409)
        setError('The service desk changed this ticket just now. Reload the page and try again.');
      else setError(failure instanceof ApiError ? failure.message : 'That did not work. Try again.');
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function addColleague(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const email = String(new FormData(form).get('colleague') ?? '')
      .trim()
      .toLowerCase();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return setError('Enter your colleague’s e-mail address.');
    if (ticket.watchers.includes(email)) return setError(`${email} is kept informed already.`);
    if (await save({ watchers: [...ticket.watchers, email] }, `${email} is now kept informed.`)) form.reset();
  }

  return (
    <section className="panel requester-actions" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Keep others informed</h2>
      {ticket.watchers.length > 0 && (
        <p>
          Also informed: <span className="wrap-anywhere">{ticket.watchers.join(', ')}</span>
        </p>
      )}
      <form onSubmit={addColleague} noValidate>
        <div className="field">
          <label htmlFor={`${id}-colleague`}>Add a colleague (e-mail address)</label>
          <input id={`${id}-colleague`} name="colleague" type="email" autoComplete="off" />
        </div>
        <button type="submit" className="button button-secondary" disabled={busy}>
          Add colleague
        </button>
      </form>
      {error && <ErrorNotice message={error} />}
      {message && (
        <p className="success-text" role="status">
          {message}
        </p>
      )}
      <h2>No longer needed?</h2>
      <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
        Cancel this ticket
      </button>
      <Dialog open={confirming} title={`Cancel ${ticket.number}?`} onClose={() => setConfirming(false)}>
        <p>The service desk stops working on it. To follow up later, open a new ticket.</p>
        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={async () => {
              setConfirming(false);
              await save({ state: 'cancelled' }, `${ticket.number} is cancelled.`);
            }}
          >
            Yes, cancel it
          </button>
          <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
            Keep it open
          </button>
        </div>
      </Dialog>
    </section>
  );
}
