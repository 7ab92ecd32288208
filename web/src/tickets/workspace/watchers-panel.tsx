import { useId, useState } from 'react';
import type { Ticket } from '../../shared/types.ts';
import { type ChangeFn, PanelForm } from './panel-form.tsx';

/** Who else follows the ticket by mail. */
export function WatchersPanel({ ticket, change }: { ticket: Ticket; change: ChangeFn }) {
  const id = useId();
  const [message, setMessage] = useState<string>();
  return (
    <PanelForm
      title="Watchers"
      change={change}
      submitLabel="Add watcher"
      onSubmit={(form) => {
        const email = String(form.get('watcher') ?? '')
          .trim()
          .toLowerCase();
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) return 'Enter an e-mail address.';
        if (ticket.watchers.includes(email)) return `${email} already watches this ticket.`;
        return { watchers: [...ticket.watchers, email] };
      }}
    >
      {ticket.watchers.length === 0 ? (
        <p className="muted">Nobody else follows this ticket.</p>
      ) : (
        <ul className="file-list">
          {ticket.watchers.map((watcher) => (
            <li key={watcher}>
              <span>{watcher}</span>
              <button
                type="button"
                className="link-button"
                onClick={async () => {
                  const result = await change({ watchers: ticket.watchers.filter((w) => w !== watcher) });
                  setMessage(result === true ? `${watcher} no longer watches.` : result);
                }}
              >
                Remove <span className="visually-hidden">{watcher}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && <p role="status">{message}</p>}
      <div className="field">
        <label htmlFor={`${id}-watcher`}>Add a watcher (address)</label>
        <input id={`${id}-watcher`} name="watcher" type="email" autoComplete="off" key={ticket.version} />
      </div>
    </PanelForm>
  );
}
