import { useId, useState } from 'react';
import type { Ticket } from '../../shared/types.ts';

/**
 * An agent's own saved responses, kept in this browser until Spoke stores shared (group)
 * responses and macros on the server. Placeholders are filled in when one is inserted.
 */
export interface SavedResponse {
  readonly name: string;
  readonly text: string;
}

const KEY = 'spoke:saved-responses';

export const placeholders = ['{requester}', '{number}', '{link}'] as const;

function read(): SavedResponse[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed)
      ? parsed.filter((r): r is SavedResponse => typeof r?.name === 'string' && typeof r?.text === 'string')
      : [];
  } catch {
    return [];
  }
}

function write(responses: readonly SavedResponse[]): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(responses));
  } catch {
    // Storage refused: the response lasts as long as the page.
  }
}

/** The text with `{requester}`, `{number}` and `{link}` filled in for this ticket. */
export function fillIn(text: string, ticket: Ticket, origin: string): string {
  const requester = ticket.requester.name?.split(' ')[0] ?? ticket.requester.email;
  return text
    .replaceAll('{requester}', requester)
    .replaceAll('{number}', ticket.number)
    .replaceAll('{link}', `${origin}/tickets/${encodeURIComponent(ticket.id)}`);
}

/** Insert a saved response, or save what is written as one. */
export function SavedResponses(props: { ticket: Ticket; body: string; onInsert: (text: string) => void }) {
  const id = useId();
  const [responses, setResponses] = useState(read);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string>();
  return (
    <details className="saved-responses">
      <summary>Saved responses</summary>
      {responses.length > 0 ? (
        <div className="field">
          <label htmlFor={`${id}-pick`}>Insert a saved response</label>
          <select
            id={`${id}-pick`}
            value=""
            onChange={(event) => {
              const chosen = responses.find((r) => r.name === event.currentTarget.value);
              if (chosen) props.onInsert(fillIn(chosen.text, props.ticket, window.location.origin));
            }}
          >
            <option value="">Choose…</option>
            {responses.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p className="muted">None yet: write a reply, then save it here under a name.</p>
      )}
      <div className="field">
        <label htmlFor={`${id}-name`}>Save what is written as</label>
        <p className="hint" id={`${id}-hint`}>
          Placeholders: {placeholders.join(', ')} (the requester's first name, the ticket number, its link).
        </p>
        <input
          id={`${id}-name`}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          aria-describedby={`${id}-hint`}
          autoComplete="off"
        />
      </div>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => {
          const label = name.trim();
          if (!label || !props.body.trim()) return setMessage('Write the text and a name first.');
          const next = [...responses.filter((r) => r.name !== label), { name: label, text: props.body }];
          write(next);
          setResponses(next);
          setName('');
          setMessage(`Saved as “${label}”.`);
        }}
      >
        Save response
      </button>
      {message && <p role="status">{message}</p>}
    </details>
  );
}
