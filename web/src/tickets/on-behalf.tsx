import { useId } from 'react';
import { usePeople } from '../shared/people.ts';

/** How a caller reached the agent; kept on the ticket as a tag until channels include them. */
export const contactChannels = { phone: 'Phone call', 'walk-in': 'Walk-in', chat: 'Chat' } as const;

/**
 * Agents only: open the ticket for a caller. The address is picked from the people Spoke knows
 * (the members of its groups) or typed; left empty, the ticket is the agent's own.
 */
export function OnBehalfFields({ error }: { error?: string }) {
  const id = useId();
  const { members } = usePeople();
  const people = [...new Map(members.map((m) => [m.email, m.name ?? m.email])).entries()];
  return (
    <fieldset className="choice-group on-behalf">
      <legend>For someone else (phone or walk-in)</legend>
      <div className="field">
        <label htmlFor={`${id}-requester`}>
          Caller’s address <span className="optional">(empty: the ticket is yours)</span>
        </label>
        <input
          id={`${id}-requester`}
          name="requester"
          type="email"
          list={`${id}-people`}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-requester-error` : undefined}
        />
        <datalist id={`${id}-people`}>
          {people.map(([email, name]) => (
            <option key={email} value={email}>
              {name}
            </option>
          ))}
        </datalist>
        {error && (
          <p className="field-error" id={`${id}-requester-error`}>
            {error}
          </p>
        )}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>
            Caller’s name <span className="optional">(optional)</span>
          </label>
          <input id={`${id}-name`} name="requesterName" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-via`}>They reached you by</label>
          <select id={`${id}-via`} name="via" defaultValue="phone">
            {Object.entries(contactChannels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </fieldset>
  );
}

/** The part of a new ticket the on-behalf fields add; nothing when the agent left them empty. */
export function onBehalfOf(form: FormData, names: ReadonlyMap<string, string>) {
  const email = String(form.get('requester') ?? '')
    .trim()
    .toLowerCase();
  if (!email) return {};
  const name = String(form.get('requesterName') ?? '').trim() || names.get(email);
  const via = String(form.get('via') ?? 'phone');
  return { requester: { email, ...(name ? { name } : {}) }, tags: [via in contactChannels ? via : 'phone'] };
}
