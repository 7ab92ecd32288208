import { type RefObject, useId, useState } from 'react';
import { StateBadge } from '../../shared/components.tsx';
import { holdReasonLabels, nextStates, resolutionLabels, stateLabels } from '../../shared/format.ts';
import type { HoldReason, ResolutionCode, Ticket, TicketState } from '../../shared/types.ts';
import { type ChangeFn, PanelForm } from './panel-form.tsx';

/** Moves the ticket on: the states its lifecycle allows, with a hold reason or a resolution where needed. */
export function StatePanel(props: {
  ticket: Ticket;
  change: ChangeFn;
  stateSelect: RefObject<HTMLSelectElement | null>;
}) {
  const { ticket, change, stateSelect } = props;
  const id = useId();
  const options = nextStates[ticket.state];
  const [to, setTo] = useState<TicketState | ''>('');
  const [seenVersion, setSeenVersion] = useState(ticket.version);
  if (seenVersion !== ticket.version) {
    setSeenVersion(ticket.version);
    setTo('');
  }
  return (
    <PanelForm
      title="State"
      change={change}
      submitLabel="Change state"
      onSubmit={(form) => {
        if (!to) return 'Choose the new state.';
        if (to === 'on_hold') return { state: to, holdReason: String(form.get('holdReason')) as HoldReason };
        if (to === 'resolved') {
          const notes = String(form.get('resolutionNotes') ?? '').trim();
          if (!notes) return 'Resolution notes are required to resolve.';
          return {
            state: to,
            resolutionCode: String(form.get('resolutionCode')) as ResolutionCode,
            resolutionNotes: notes,
          };
        }
        return { state: to };
      }}
    >
      <p>
        Now: <StateBadge state={ticket.state} />
      </p>
      <div className="field">
        <label htmlFor={`${id}-state`}>New state</label>
        <select
          ref={stateSelect}
          id={`${id}-state`}
          value={to}
          onChange={(e) => setTo(e.currentTarget.value as TicketState)}
          aria-keyshortcuts="s"
        >
          <option value="">Choose…</option>
          {options.map((state) => (
            <option key={state} value={state}>
              {stateLabels[state]}
            </option>
          ))}
        </select>
      </div>
      {to === 'on_hold' && (
        <div className="field">
          <label htmlFor={`${id}-hold`}>Hold reason (required)</label>
          <select id={`${id}-hold`} name="holdReason" defaultValue="awaiting_caller">
            {Object.entries(holdReasonLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      )}
      {to === 'resolved' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-code`}>Resolution code (required)</label>
            <select id={`${id}-code`} name="resolutionCode" defaultValue="solved">
              {Object.entries(resolutionLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-notes`}>Resolution notes (required, mailed to the requester)</label>
            <textarea id={`${id}-notes`} name="resolutionNotes" rows={3} required />
          </div>
        </>
      )}
    </PanelForm>
  );
}
