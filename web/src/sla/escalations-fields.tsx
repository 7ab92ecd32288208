import { useId } from 'react';
import type { SlaDefinition } from './sla-api.ts';

type Escalation = SlaDefinition['escalations'][number];
const MOMENTS = [
  ['warning', 'On warning'],
  ['breach', 'On breach'],
] as const;

/** The definition's escalations for one moment that apply to both targets, as one set of fields. */
function merged(definition: SlaDefinition, on: Escalation['on']) {
  const own = definition.escalations.filter((e) => e.on === on && !e.target);
  const raises = own.flatMap((e) => (e.raisePriorityTo === undefined ? [] : [e.raisePriorityTo]));
  return {
    assignee: own.some((e) => e.notify.includes('assignee')),
    manager: own.some((e) => e.notify.includes('manager')),
    addresses: [...new Set(own.flatMap((e) => e.addresses))].join(', '),
    raisePriorityTo: raises.length > 0 ? Math.min(...raises) : undefined,
    reassignTo: own.flatMap((e) => (e.reassignTo ? [e.reassignTo] : [])).at(-1) ?? '',
  };
}

/**
 * The escalations as the form's fields say: one per moment with any action, plus those the
 * editor does not show (bound to one target), kept as they were.
 */
export function escalationsOf(form: FormData, definition: SlaDefinition): Escalation[] {
  const edited = MOMENTS.flatMap(([on]) => {
    const notify = (['assignee', 'manager'] as const).filter((who) => form.get(`${on}-${who}`) === 'on');
    const addresses = String(form.get(`${on}-addresses`) ?? '')
      .split(/[\s,;]+/)
      .filter(Boolean);
    const raise = String(form.get(`${on}-raise`) ?? '');
    const reassignTo = String(form.get(`${on}-reassign`) ?? '').trim();
    const escalation: Escalation = {
      on,
      notify,
      addresses,
      ...(raise ? { raisePriorityTo: Number(raise) } : {}),
      ...(reassignTo ? { reassignTo } : {}),
    };
    const acts = notify.length > 0 || addresses.length > 0 || raise !== '' || reassignTo !== '';
    return acts ? [escalation] : [];
  });
  return [...definition.escalations.filter((e) => e.target), ...edited];
}

/** What a warning and a breach set off: mail, a raised priority, another group. */
export function EscalationsFields({ definition }: { definition: SlaDefinition }) {
  const id = useId();
  return (
    <>
      {MOMENTS.map(([on, legend]) => {
        const current = merged(definition, on);
        return (
          <fieldset key={on} className="sla-hours">
            <legend>{legend}</legend>
            <label className="checkbox-field">
              <input type="checkbox" name={`${on}-assignee`} defaultChecked={current.assignee} />
              Mail the assignee
            </label>
            <label className="checkbox-field">
              <input type="checkbox" name={`${on}-manager`} defaultChecked={current.manager} />
              Mail the group’s manager
            </label>
            <div className="field">
              <label htmlFor={`${id}-${on}-addresses`}>{legend}: mail these addresses</label>
              <input id={`${id}-${on}-addresses`} name={`${on}-addresses`} defaultValue={current.addresses} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-${on}-raise`}>{legend}: raise the priority to</label>
              <select
                id={`${id}-${on}-raise`}
                name={`${on}-raise`}
                defaultValue={current.raisePriorityTo ?? ''}
              >
                <option value="">leave it</option>
                {[1, 2, 3, 4].map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-${on}-reassign`}>{legend}: reassign to the group</label>
              <input id={`${id}-${on}-reassign`} name={`${on}-reassign`} defaultValue={current.reassignTo} />
            </div>
          </fieldset>
        );
      })}
    </>
  );
}
