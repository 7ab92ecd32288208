import { type FormEvent, useCallback, useId, useMemo, useRef, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { type AnswerValue, catalogApi, type FormField, visibleFields } from './catalog-api.ts';
import './catalog.css';

/**
 * An item's order form, rendered from its definition: each field with its label, help and
 * required mark; fields shown or hidden by their conditions as the person answers; the server's
 * 400 mapped back onto each field, announced, and the first invalid field focused.
 */
export function OrderPage({ id: itemId }: { id: string }) {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => catalog.item(itemId), [catalog, itemId]);
  const { load, reload } = useQuery(`catalog:item:${itemId}`, fetcher, 'This item could not be loaded.');
  usePageTitle(load.status === 'ready' ? `Order: ${load.data.name}` : 'Order');
  const id = useId();
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  if (load.status === 'loading') return <Loading label="Loading the form…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status !== 'ready') return <NotFoundPage />;
  const item = load.data;
  const shown = visibleFields(item.form, answers);
  const set = (field: string, value: AnswerValue | undefined) =>
    setAnswers((current) => {
      const next = { ...current };
      if (value === undefined || value === '') delete next[field];
      else next[field] = value;
      return next;
    });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(undefined);
    // Only what is shown is sent: a hidden field's old answer would be refused.
    const visible = new Set(shown.map((f) => f.id));
    const sent = Object.fromEntries(Object.entries(answers).filter(([key]) => visible.has(key)));
    try {
      const request = await catalog.order([{ itemId: item.id, answers: sent }]);
      invalidate('requests');
      navigate(paths.request(request.id));
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ApiError && failure.fields.length > 0) {
        const byField = Object.fromEntries(
          failure.fields.map((f) => [f.path.replace(/^items\[0\]\.answers\./, ''), f.message]),
        );
        setErrors(byField);
        setFormError('Some answers need another look.');
        const first = shown.find((f) => byField[f.id]);
        requestAnimationFrame(() =>
          (first ? document.getElementById(`${id}-${first.id}`) : summary.current)?.focus(),
        );
      } else setFormError(failure instanceof ApiError ? failure.message : 'Your order could not be sent.');
    }
  }

  return (
    <>
      <PageHeading>{item.name}</PageHeading>
      <p className="lead">{item.description}</p>
      {item.approval.policy !== 'none' && (
        <p className="muted">
          {item.approval.policy === 'manager' ? 'Your manager approves' : 'An approver approves'} this before
          anything is done.
        </p>
      )}
      <div ref={summary} tabIndex={-1} role="alert">
        {formError && <ErrorNotice message={formError} />}
      </div>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {shown.map((field) => (
          <Field
            key={field.id}
            id={`${id}-${field.id}`}
            field={field}
            value={answers[field.id]}
            error={errors[field.id]}
            onChange={(value) => set(field.id, value)}
          />
        ))}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Ordering…' : 'Order'}
          </button>
        </div>
      </form>
    </>
  );
}

function Field(props: {
  id: string;
  field: FormField;
  value: AnswerValue | undefined;
  error: string | undefined;
  onChange: (value: AnswerValue | undefined) => void;
}) {
  const { id, field, value, error, onChange } = props;
  const describedBy =
    [field.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: field.id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    required: field.required,
  };
  const label = (
    <>
      {field.label} {field.required && <span className="required">(required)</span>}
    </>
  );
  const help = field.help && (
    <p className="hint" id={`${id}-help`}>
      {field.help}
    </p>
  );
  const problem = error && (
    <p className="field-error" id={`${id}-error`}>
      {error}
    </p>
  );
  if (field.type === 'multi_choice' || field.type === 'yes_no') {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <fieldset
        className="field choice-list"
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
      >
        <legend>{label}</legend>
        {help}
        {field.type === 'yes_no'
          ? (['yes', 'no'] as const).map((answer) => (
              <label key={answer} className="checkbox-field">
                <input
                  type="radio"
                  name={field.id}
                  id={answer === 'yes' ? id : undefined}
                  checked={value === (answer === 'yes')}
                  onChange={() => onChange(answer === 'yes')}
                />
                {answer === 'yes' ? 'Yes' : 'No'}
              </label>
            ))
          : field.options?.map((option, i) => (
              <label key={option.value} className="checkbox-field">
                <input
                  type="checkbox"
                  id={i === 0 ? id : undefined}
                  checked={chosen.includes(option.value)}
                  onChange={(e) =>
                    onChange(
                      e.currentTarget.checked
                        ? [...chosen, option.value]
                        : chosen.filter((v) => v !== option.value),
                    )
                  }
                />
                {option.label}
              </label>
            ))}
        {problem}
      </fieldset>
    );
  }
  const text = typeof value === 'string' ? value : '';
  const input = () => {
    switch (field.type) {
      case 'long_text':
        return (
          <textarea {...common} rows={4} value={text} onChange={(e) => onChange(e.currentTarget.value)} />
        );
      case 'choice':
        return (
          <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {field.options?.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        );
      default:
        return (
          <input
            {...common}
            type={field.type === 'date' ? 'date' : field.type === 'person' ? 'email' : 'text'}
            autoComplete="off"
            value={text}
            onChange={(e) => onChange(e.currentTarget.value)}
          />
        );
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {help}
      {input()}
      {problem}
    </div>
  );
}
