import { type FormEvent, useId, useRef, useState } from 'react';
import { type Api, ApiError, SessionExpiredError } from '../shared/api.ts';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { navigate, paths } from '../shared/router.tsx';
import { useShortcuts } from '../shared/shortcuts.ts';

const NUMBER = /^(INC|REQ|PRB|CHG|RLS|TASK)\d{7,}$/i;

const missing = (error: unknown) => error instanceof ApiError && error.status === 404;

/**
 * The page of the record a number names. `REQ` numbers come from one counter shared by ticket
 * requests and catalog requests, so a `REQ` no ticket holds is looked up among catalog
 * requests; a `TASK` (a fulfilment task) opens its request.
 */
async function pageOfNumber(api: Api, agent: boolean, number: string): Promise<string> {
  const by = (path: string) =>
    api.request<{ id: string; requestId?: string }>(`${path}/${encodeURIComponent(number)}`);
  if (number.startsWith('TASK')) return paths.request((await by('/tasks/by-number')).requestId ?? '');
  try {
    const ticket = await api.findTicketByNumber(number);
    return agent ? paths.workspace(ticket.id) : paths.ticket(ticket.id);
  } catch (error) {
    if (!number.startsWith('REQ') || !missing(error)) throw error;
  }
  return paths.request((await by('/requests/by-number')).id);
}

/**
 * One box for a ticket number (straight to the ticket) or words (the tickets the person can
 * see that contain them, on the search page). `/` jumps to it.
 */
export function TicketSearch({ label = 'Find a ticket', initial }: { label?: string; initial?: string }) {
  const { api, session } = usePortal();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  useShortcuts({ '/': () => input.current?.focus() });

  async function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget).get('q') ?? '').trim();
    setMessage(undefined);
    if (!text) {
      setMessage('Type a ticket number or a few words.');
      input.current?.focus();
      return;
    }
    if (!NUMBER.test(text)) {
      navigate(paths.search(text));
      return;
    }
    setBusy(true);
    try {
      navigate(await pageOfNumber(api, isAgent(session), text.toUpperCase()));
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      setBusy(false);
      setMessage(
        missing(error)
          ? `There is no ticket ${text.toUpperCase()} that you can see.`
          : 'The search did not work. Try again.',
      );
    }
  }

  return (
    <search className="search">
      <form onSubmit={search}>
        <label htmlFor={`${id}-q`}>{label}</label>
        <div className="search-row">
          <input
            ref={input}
            id={`${id}-q`}
            name="q"
            type="search"
            placeholder="INC0001042 or words like “printer”"
            aria-describedby={message ? `${id}-message` : undefined}
            aria-keyshortcuts="/"
            defaultValue={initial}
            key={initial}
          />
          <button type="submit" className="button" disabled={busy}>
            Search
          </button>
        </div>
        {message && (
          <p className="field-error" id={`${id}-message`} role="alert">
            {message}
          </p>
        )}
      </form>
    </search>
  );
}
