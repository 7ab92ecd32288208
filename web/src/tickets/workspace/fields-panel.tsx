import { type RefObject, useCallback, useEffect, useId, useState } from 'react';
import { ticketCategories, ticketServices } from '../../../../functions/core/routing/classification.ts';
import { PriorityBadge } from '../../shared/components.tsx';
import { levelLabels } from '../../shared/format.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useQuery } from '../../shared/query-cache.ts';
import type { Level, Ticket } from '../../shared/types.ts';
import { type Change, type ChangeFn, PanelForm } from './panel-form.tsx';

/** What the panel edits, as form values ('' is "none"). */
interface Values {
  group: string;
  assignee: string;
  impact: string;
  urgency: string;
  category: string;
  service: string;
  tags: string;
}

const valuesOf = (ticket: Ticket): Values => ({
  group: ticket.assignmentGroup ?? '',
  assignee: ticket.assignee?.email ?? '',
  impact: String(ticket.impact),
  urgency: String(ticket.urgency),
  category: ticket.category ?? '',
  service: ticket.service ?? '',
  tags: ticket.tags.join(', '),
});

const tagsOf = (text: string) =>
  text
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);

/** Only what the agent changed, so the history records exactly that. */
export function changedFields(ticket: Ticket, values: Values, names: ReadonlyMap<string, string>): Change {
  const before = valuesOf(ticket);
  const patch: { -readonly [K in keyof Change]: Change[K] } = {};
  if (values.group !== before.group) patch.assignmentGroup = values.group || null;
  if (values.assignee !== before.assignee) {
    const name = names.get(values.assignee);
    patch.assignee = values.assignee ? { email: values.assignee, ...(name ? { name } : {}) } : null;
  }
  if (values.impact !== before.impact) patch.impact = Number(values.impact) as Level;
  if (values.urgency !== before.urgency) patch.urgency = Number(values.urgency) as Level;
  if (values.category !== before.category) patch.category = values.category || null;
  if (values.service !== before.service) patch.service = values.service || null;
  if (tagsOf(values.tags).join(',') !== tagsOf(before.tags).join(',')) patch.tags = tagsOf(values.tags);
  return patch;
}

/**
 * Every field of the ticket an agent sets, saved together with the version they saw: group,
 * assignee (picked from the group's members), impact and urgency, category, service and tags.
 */
export function FieldsPanel(props: {
  ticket: Ticket;
  change: ChangeFn;
  assigneeInput: RefObject<HTMLSelectElement | null>;
}) {
  const { ticket, change, assigneeInput } = props;
  const { api, session } = usePortal();
  const id = useId();
  const [values, setValues] = useState(() => valuesOf(ticket));
  // A saved or reloaded ticket (a new version) shows its own values again.
  useEffect(() => setValues(valuesOf(ticket)), [ticket]);
  const set = (field: keyof Values) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [field]: value }));
  };

  const groups = useQuery(
    'groups',
    useCallback(() => api.listGroups(), [api]),
    'The groups could not be loaded.',
  );
  const groupList = groups.load.status === 'ready' ? groups.load.data.items : [];
  const membersFetcher = useCallback(
    () => (values.group ? api.listMembers(values.group) : Promise.resolve({ items: [] })),
    [api, values.group],
  );
  const members = useQuery(`members:${values.group}`, membersFetcher, 'The members could not be loaded.');
  const people = new Map<string, string>();
  if (members.load.status === 'ready')
    for (const member of members.load.data.items) people.set(member.email, member.name ?? member.email);
  if (ticket.assignee) people.set(ticket.assignee.email, ticket.assignee.name ?? ticket.assignee.email);
  const me = session.email.toLowerCase();
  people.set(me, people.get(me) ?? session.name);

  const option = (value: string, label = value) => (
    <option key={value} value={value}>
      {label}
    </option>
  );
  const known = (list: readonly string[], current: string) =>
    current && !list.some((v) => v.toLowerCase() === current.toLowerCase()) ? [...list, current] : list;

  return (
    <PanelForm
      title="Fields"
      change={change}
      submitLabel="Save fields"
      onSubmit={() => {
        const patch = changedFields(ticket, values, people);
        return Object.keys(patch).length ? patch : 'Nothing changed.';
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-group`}>Assignment group</label>
        <select id={`${id}-group`} value={values.group} onChange={set('group')}>
          <option value="">No group</option>
          {groupList.map((g) => option(g.id, g.name))}
          {values.group && !groupList.some((g) => g.id === values.group) && option(values.group)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-assignee`}>Assignee</label>
        <select
          ref={assigneeInput}
          id={`${id}-assignee`}
          value={values.assignee}
          onChange={set('assignee')}
          aria-keyshortcuts="a"
        >
          <option value="">Unassigned</option>
          {[...people].map(([email, name]) => option(email, name === email ? email : `${name} (${email})`))}
        </select>
        <button
          type="button"
          className="link-button"
          onClick={() => setValues((current) => ({ ...current, assignee: me }))}
        >
          Assign to me
        </button>
      </div>
      <p>
        Priority now: <PriorityBadge priority={ticket.priority} />
        <br />
        <span className="muted">Spoke works the priority out from impact and urgency when you save.</span>
      </p>
      <div className="field-row">
        {(['impact', 'urgency'] as const).map((field) => (
          <div className="field" key={field}>
            <label htmlFor={`${id}-${field}`}>{field === 'impact' ? 'Impact' : 'Urgency'}</label>
            <select id={`${id}-${field}`} value={values[field]} onChange={set(field)}>
              {[1, 2, 3].map((level) => option(String(level), levelLabels[level]))}
            </select>
          </div>
        ))}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-category`}>Category</label>
          <select id={`${id}-category`} value={values.category} onChange={set('category')}>
            <option value="">None</option>
            {known(ticketCategories, values.category).map((c) => option(c))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-service`}>Service</label>
          <select id={`${id}-service`} value={values.service} onChange={set('service')}>
            <option value="">None</option>
            {known(ticketServices, values.service).map((s) => option(s))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags (comma-separated)</label>
        <input id={`${id}-tags`} value={values.tags} onChange={set('tags')} autoComplete="off" />
      </div>
    </PanelForm>
  );
}
