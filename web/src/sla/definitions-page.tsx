import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import './sla.css';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { priorityLabels } from '../shared/format.ts';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { CalendarsPanel } from './calendars-panel.tsx';
import { EscalationsFields, escalationsOf } from './escalations-fields.tsx';
import { formatDuration, type SlaDefinition, slaApi } from './sla-api.ts';

const PRIORITIES = ['1', '2', '3', '4', '5'] as const;
const TARGETS = ['response', 'resolution'] as const;
const targetLabels = { response: 'First response', resolution: 'Resolution' } as const;

function conditionsOf(definition: SlaDefinition): string {
  const c = definition.conditions;
  const parts = [
    c.recordTypes?.join(', '),
    c.priorities && `priority ${c.priorities.join(', ')}`,
    c.services && `service ${c.services.join(', ')}`,
    c.channels && `via ${c.channels.join(', ')}`,
    c.requesterGroups && `requesters in ${c.requesterGroups.join(', ')}`,
    c.assignmentGroups && `groups ${c.assignmentGroups.join(', ')}`,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'every record';
}

/** One definition: its targets per priority in business minutes, editable as a new version. */
function DefinitionCard({
  definition,
  saved,
  onSaved,
}: {
  definition: SlaDefinition;
  /** Just saved: the card is the new version's (the list read again), so the page keeps this. */
  saved: boolean;
  onSaved: () => void;
}) {
  const { api } = usePortal();
  const sla = useMemo(() => slaApi(api), [api]);
  const id = useId();
  const [error, setError] = useState<string>();

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const targets: Record<string, Record<string, number>> = {};
    for (const target of TARGETS)
      for (const p of PRIORITIES) {
        const value = String(form.get(`${target}-${p}`) ?? '').trim();
        if (!value) continue;
        targets[target] = { ...targets[target], [p]: Number(value) };
      }
    const { id: _, version, ...rest } = definition;
    setError(undefined);
    try {
      await sla.saveDefinition(definition.id, {
        ...rest,
        version,
        targets,
        warnAtPercent: Number(form.get('warnAtPercent')),
        escalations: escalationsOf(form, definition),
      });
      onSaved();
    } catch (failure) {
      setError(
        failure instanceof ApiError
          ? [failure.message, ...failure.fields.map((f) => `${f.path}: ${f.message}`)].join(' ')
          : 'The definition could not be saved.',
      );
    }
  }

  return (
    <form className="panel" onSubmit={save} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>
        {definition.name}{' '}
        <span className="muted">
          ({definition.kind.toUpperCase()}, version {definition.version})
        </span>
      </h2>
      <p className="muted">
        Applies to {conditionsOf(definition)}; calendar {definition.calendarId}; paused in{' '}
        {definition.pauseWhen.map((r) => (r.reason ? `${r.state} (${r.reason})` : r.state)).join(', ') ||
          'no state'}
        .
      </p>
      <table className="sla-targets">
        <caption className="visually-hidden">Targets of {definition.name} in business minutes</caption>
        <thead>
          <tr>
            <th scope="col">Priority</th>
            {TARGETS.map((t) => (
              <th scope="col" key={t}>
                {targetLabels[t]} (minutes)
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {PRIORITIES.map((p) => (
            <tr key={p}>
              <th scope="row">{priorityLabels[Number(p) as 1]}</th>
              {TARGETS.map((t) => {
                const minutes = definition.targets[t]?.[p];
                return (
                  <td key={t}>
                    <input
                      type="number"
                      min={1}
                      name={`${t}-${p}`}
                      defaultValue={minutes ?? ''}
                      aria-label={`${targetLabels[t]}, ${priorityLabels[Number(p) as 1]}`}
                    />{' '}
                    {minutes !== undefined && (
                      <span className="muted">{formatDuration(minutes * 60_000)}</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="field">
        <label htmlFor={`${id}-warn`}>Warn at (% of the target)</label>
        <input
          id={`${id}-warn`}
          type="number"
          name="warnAtPercent"
          min={1}
          max={99}
          defaultValue={definition.warnAtPercent}
        />
      </div>
      <EscalationsFields definition={definition} />
      {error && <Notice tone="error">{error}</Notice>}
      {saved && <Notice tone="success">Saved as a new version. Records already running keep theirs.</Notice>}
      <button type="submit" className="button">
        Save as version {definition.version + 1}
      </button>
    </form>
  );
}

/** Admins: the service-level definitions in force, each saved as a new version when changed. */
export function SlaDefinitionsPage() {
  const { api } = usePortal();
  usePageTitle('Service levels');
  const sla = useMemo(() => slaApi(api), [api]);
  const invalidate = useInvalidate();
  const [saved, setSaved] = useState<string>();
  const fetcher = useCallback(() => sla.definitions(), [sla]);
  const { load, reload } = useQuery('sla:definitions', fetcher, 'The service levels could not be loaded.');
  return (
    <div>
      <PageHeading>Service levels</PageHeading>
      <p>
        Targets are business minutes in the definition’s calendar. Saving makes a new version: records already
        running keep the version they started with.
      </p>
      {load.status === 'loading' && <Loading label="Loading the service levels…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' &&
        load.data.map((definition) => (
          <DefinitionCard
            key={`${definition.id}-${definition.version}`}
            definition={definition}
            saved={saved === definition.id}
            onSaved={() => {
              setSaved(definition.id);
              invalidate('sla:definitions');
            }}
          />
        ))}
      <CalendarsPanel />
    </div>
  );
}
