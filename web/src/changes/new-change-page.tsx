import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { ErrorNotice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { navigate, paths } from '../shared/router.tsx';
import type { Group } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type ChangeTemplate, type ChangeType, changeApi, type Questionnaire } from './change-api.ts';
import { previewLevel, RiskQuestions } from './risk-questions.tsx';
import './changes.css';

const typeHelp: Record<ChangeType, string> = {
  standard: 'Pre-approved and routine, from a template: no approval needed.',
  normal:
    'Assessed for risk and approved by the manager, the CAB or the service owner, depending on the risk.',
  emergency:
    'Urgent: approved by the emergency CAB within hours. May go ahead during a freeze with a justification.',
};

const list = (value: FormDataEntryValue | null) =>
  String(value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** A local `datetime-local` value as an instant, or undefined when empty. */
const instant = (value: FormDataEntryValue | null) =>
  value ? new Date(String(value)).toISOString() : undefined;

/** Agents: a standard, normal or emergency change, with its plans, window and risk. */
export function NewChangePage() {
  const { api } = usePortal();
  const changes = useMemo(() => changeApi(api), [api]);
  usePageTitle('New change');
  const id = useId();
  const [type, setType] = useState<ChangeType>('normal');
  const [templates, setTemplates] = useState<ChangeTemplate[]>([]);
  const [groups, setGroups] = useState<readonly Group[]>([]);
  const [questionnaire, setQuestionnaire] = useState<Questionnaire>();
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);

  const loadChoices = useCallback(async () => {
    try {
      const [t, g, q] = await Promise.all([changes.templates(), api.listGroups(), changes.questionnaire()]);
      setTemplates(t);
      setGroups(g.items);
      setQuestionnaire(q);
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      setFormError(
        'The templates, groups or risk questions could not be loaded. Reload the page to try again.',
      );
    }
  }, [api, changes]);
  useEffect(() => {
    void loadChoices();
  }, [loadChoices]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    setSubmitting(true);
    setFormError(undefined);
    setFieldErrors({});
    try {
      const change = await changes.create({
        type,
        ...(type === 'standard'
          ? { templateId: text('templateId') }
          : {
              shortDescription: text('shortDescription'),
              description: text('description'),
              justification: text('justification'),
              implementationPlan: text('implementationPlan'),
              backoutPlan: text('backoutPlan'),
              testPlan: text('testPlan'),
              assignmentGroup: text('assignmentGroup'),
              ...(Object.keys(answers).length > 0 ? { riskAnswers: answers } : {}),
            }),
        plannedStart: instant(form.get('plannedStart')),
        plannedEnd: instant(form.get('plannedEnd')),
        ...(list(form.get('services')).length ? { services: list(form.get('services')) } : {}),
        ...(list(form.get('configurationItems')).length
          ? { configurationItems: list(form.get('configurationItems')) }
          : {}),
        ...(text('freezeJustification') ? { freezeJustification: text('freezeJustification') } : {}),
      });
      navigate(paths.change(change.id));
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      setSubmitting(false);
      if (error instanceof ApiError) {
        setFormError(error.message);
        setFieldErrors(Object.fromEntries(error.fields.map((f) => [f.path, f.message])));
      } else setFormError('The change could not be created. Try again.');
    }
  }

  const field = (
    name: string,
    label: string,
    options: { area?: boolean; required?: boolean; hint?: string } = {},
  ) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>
        {label} {options.required && <span className="required">(required)</span>}
      </label>
      {options.hint && (
        <p className="hint" id={`${id}-${name}-hint`}>
          {options.hint}
        </p>
      )}
      {options.area ? (
        <textarea
          id={`${id}-${name}`}
          name={name}
          rows={4}
          aria-invalid={fieldErrors[name] ? true : undefined}
          aria-describedby={options.hint ? `${id}-${name}-hint` : undefined}
        />
      ) : (
        <input
          id={`${id}-${name}`}
          name={name}
          autoComplete="off"
          aria-invalid={fieldErrors[name] ? true : undefined}
          aria-describedby={options.hint ? `${id}-${name}-hint` : undefined}
        />
      )}
      {fieldErrors[name] && <p className="field-error">{fieldErrors[name]}</p>}
    </div>
  );
  const level = questionnaire && previewLevel(questionnaire, answers);

  return (
    <>
      <PageHeading>New change</PageHeading>
      {formError && <ErrorNotice message={formError} />}
      <form className="form" onSubmit={submit} noValidate>
        <fieldset className="radio-group">
          <legend>Type of change</legend>
          {(['standard', 'normal', 'emergency'] as const).map((t) => (
            <label key={t} className="radio">
              <input type="radio" name="type" value={t} checked={type === t} onChange={() => setType(t)} />
              <span>
                <strong>{t[0]?.toUpperCase() + t.slice(1)}</strong> — {typeHelp[t]}
              </span>
            </label>
          ))}
        </fieldset>
        {type === 'standard' ? (
          <div className="field">
            <label htmlFor={`${id}-templateId`}>
              Template <span className="required">(required)</span>
            </label>
            <select
              id={`${id}-templateId`}
              name="templateId"
              aria-invalid={fieldErrors.templateId ? true : undefined}
            >
              {templates.length === 0 && <option value="">No templates yet</option>}
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            {fieldErrors.templateId && <p className="field-error">{fieldErrors.templateId}</p>}
          </div>
        ) : (
          <>
            {field('shortDescription', 'Short description', { required: true })}
            {field('description', 'Description', { area: true })}
            {field('justification', 'Justification', {
              area: true,
              required: true,
              hint: 'Why this change, why now.',
            })}
            {field('implementationPlan', 'Implementation plan', { area: true, required: true })}
            {field('backoutPlan', 'Backout plan', {
              area: true,
              required: true,
              hint: 'How to undo it if it goes wrong.',
            })}
            {field('testPlan', 'Test plan', {
              area: true,
              required: true,
              hint: 'How you will know it worked.',
            })}
            <div className="field">
              <label htmlFor={`${id}-assignmentGroup`}>
                Assignment group <span className="required">(required)</span>
              </label>
              <select
                id={`${id}-assignmentGroup`}
                name="assignmentGroup"
                aria-invalid={fieldErrors.assignmentGroup ? true : undefined}
              >
                {groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
              {fieldErrors.assignmentGroup && <p className="field-error">{fieldErrors.assignmentGroup}</p>}
            </div>
          </>
        )}
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-plannedStart`}>
              Planned start <span className="required">(required)</span>
            </label>
            <input
              id={`${id}-plannedStart`}
              name="plannedStart"
              type="datetime-local"
              aria-invalid={fieldErrors.plannedStart ? true : undefined}
            />
            {fieldErrors.plannedStart && <p className="field-error">{fieldErrors.plannedStart}</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-plannedEnd`}>
              Planned end <span className="required">(required)</span>
            </label>
            <input
              id={`${id}-plannedEnd`}
              name="plannedEnd"
              type="datetime-local"
              aria-invalid={fieldErrors.plannedEnd ? true : undefined}
            />
            {fieldErrors.plannedEnd && <p className="field-error">{fieldErrors.plannedEnd}</p>}
          </div>
        </div>
        <p className="muted">
          Times are in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).
        </p>
        {type === 'standard' ? (
          <p className="muted">
            The template fixes the plan, the services and the configuration items; choose the window.
          </p>
        ) : (
          <>
            {field('services', 'Affected services', { hint: 'Comma-separated, e.g. Email, VPN' })}
            {field('configurationItems', 'Configuration items', {
              hint: 'Comma-separated, e.g. mail-cluster-2',
            })}
          </>
        )}
        {type === 'emergency' &&
          field('freezeJustification', 'Freeze justification', {
            area: true,
            hint: 'Only needed when the window falls in a freeze: why this cannot wait.',
          })}
        {type !== 'standard' && questionnaire && (
          <section aria-labelledby={`${id}-risk`}>
            <h2 id={`${id}-risk`}>Risk {type === 'emergency' ? '(optional)' : ''}</h2>
            <RiskQuestions
              questionnaire={questionnaire}
              answers={answers}
              onChange={setAnswers}
              errors={fieldErrors}
            />
            <p role="status">
              {level
                ? `Risk: ${level.level} (score ${level.score})`
                : 'Answer every question to see the risk.'}
            </p>
          </section>
        )}
        <div className="form-actions">
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? 'Creating…' : 'Create change'}
          </button>
        </div>
      </form>
    </>
  );
}
