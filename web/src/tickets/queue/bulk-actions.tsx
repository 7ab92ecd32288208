import { type FormEvent, useCallback, useId, useState } from 'react';
import { failureMessage } from '../../shared/api.ts';
import { holdReasonLabels, priorityLabels, resolutionLabels, stateLabels } from '../../shared/format.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../../shared/query-cache.ts';
import type { Group, HoldReason, ResolutionCode, Ticket } from '../../shared/types.ts';
import { type BulkResult, deskApi } from '../desk-api.ts';

const bulkStates = ['in_progress', 'on_hold', 'resolved'] as const;

/** What a result means to the agent, per status. */
function outcomeText(result: BulkResult): string {
  if (result.status === 200) return 'saved';
  if (result.status === 409)
    return 'not saved: someone changed it after the queue was read (reload and try again)';
  const fields = result.error?.fields?.map((f) => `${f.path} ${f.message}`).join('; ');
  return `not saved: ${result.error?.message ?? 'refused'}${fields ? ` (${fields})` : ''}`;
}

/**
 * One change for every selected ticket: assignee, state, priority, group. Each ticket is saved
 * on its own with the version the queue showed, so the answer is per ticket: some may be saved
 * while others were changed meanwhile (409) or refused.
 */
export function BulkActions(props: {
  selected: readonly Ticket[];
  group: string | undefined;
  groups: readonly Group[];
  onSaved: () => void;
}) {
  const { api, session } = usePortal();
  const invalidate = useInvalidate();
  const id = useId();
  const [state, setState] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [results, setResults] = useState<readonly (BulkResult & { number: string })[]>([]);
  const members = useQuery(
    `members:${props.group ?? ''}`,
    useCallback(
      () => (props.group ? api.listMembers(props.group) : Promise.resolve({ items: [] })),
      [api, props.group],
    ),
    'The members could not be loaded.',
  );
  const people = members.load.status === 'ready' ? members.load.data.items : [];
  const me = session.email.toLowerCase();
  const nameOf = (email: string) => {
    const name = email === me ? session.name : people.find((p) => p.email === email)?.name;
    return name ? { name } : {};
  };

  async function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    const assignee = value('assignee');
    const priority = value('priority');
    const group = value('group');
    const change = {
      ...(assignee === 'none'
        ? { assignee: null }
        : assignee
          ? { assignee: { email: assignee, ...nameOf(assignee) } }
          : {}),
      ...(state ? { state: state as (typeof bulkStates)[number] } : {}),
      ...(state === 'on_hold' ? { holdReason: value('holdReason') as HoldReason } : {}),
      ...(state === 'resolved'
        ? {
            resolutionCode: value('resolutionCode') as ResolutionCode,
            resolutionNotes: value('resolutionNotes'),
          }
        : {}),
      ...(priority ? { priority: Number(priority) } : {}),
      ...(group ? { assignmentGroup: group } : {}),
    };
    if (Object.keys(change).length === 0) return setError('Choose at least one change.');
    if (state === 'resolved' && !value('resolutionNotes').trim())
      return setError('Write the resolution notes to resolve.');
    setBusy(true);
    setError(undefined);
    try {
      const selected = props.selected;
      const { results: answer } = await deskApi(api).bulk({
        tickets: selected.map((t) => ({ id: t.id, version: t.version })),
        change,
      });
      setResults(answer.map((r) => ({ ...r, number: selected.find((t) => t.id === r.id)?.number ?? r.id })));
      for (const r of answer) if (r.status === 200) invalidate(`ticket:${r.id}`, `history:${r.id}`);
      invalidate('tickets:');
      props.onSaved();
    } catch (failure) {
      setError(failureMessage(failure, 'The change could not be sent. Try again.'));
    } finally {
      setBusy(false);
    }
  }

  const saved = results.filter((r) => r.status === 200).length;
  return (
    <form className="panel bulk-actions" onSubmit={apply} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>Change the selected tickets ({props.selected.length})</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-assignee`}>Assignee</label>
          <select id={`${id}-assignee`} name="assignee" defaultValue="">
            <option value="">No change</option>
            <option value="none">Unassigned</option>
            <option value={me}>Me ({session.name})</option>
            {people
              .filter((p) => p.email !== me)
              .map((p) => (
                <option key={p.email} value={p.email}>
                  {p.name ? `${p.name} (${p.email})` : p.email}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-state`}>State</label>
          <select
            id={`${id}-state`}
            name="state"
            value={state}
            onChange={(e) => setState(e.currentTarget.value)}
          >
            <option value="">No change</option>
            {bulkStates.map((s) => (
              <option key={s} value={s}>
                {stateLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select id={`${id}-priority`} name="priority" defaultValue="">
            <option value="">No change</option>
            {[1, 2, 3, 4, 5].map((p) => (
              <option key={p} value={p}>
                {priorityLabels[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-group`}>Group</label>
          <select id={`${id}-group`} name="group" defaultValue="">
            <option value="">No change</option>
            {props.groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {state === 'on_hold' && (
        <div className="field">
          <label htmlFor={`${id}-hold`}>Hold reason</label>
          <select id={`${id}-hold`} name="holdReason">
            {Object.entries(holdReasonLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      )}
      {state === 'resolved' && (
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-code`}>Resolution</label>
            <select id={`${id}-code`} name="resolutionCode">
              {Object.entries(resolutionLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-notes`}>Resolution notes</label>
            <input id={`${id}-notes`} name="resolutionNotes" autoComplete="off" />
          </div>
        </div>
      )}
      <button type="submit" className="button" disabled={busy || props.selected.length === 0}>
        {busy ? 'Saving…' : `Apply to ${props.selected.length} selected`}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {results.length > 0 && (
        <div role="status" className="bulk-results">
          <p>
            {saved} of {results.length} saved.
          </p>
          <ul>
            {results.map((r) => (
              <li key={r.id} className={r.status === 200 ? 'success-text' : 'field-error'}>
                {r.number}: {outcomeText(r)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
