import { type FormEvent, useCallback, useId, useMemo, useRef, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { NotFoundPage } from '../shell/not-found-page.tsx';
import { isFieldFailure, problemsByLine, readCart, useCart, writeCart } from './cart.ts';
import { type AnswerValue, catalogApi, visibleFields } from './catalog-api.ts';
import { Field } from './form-field.tsx';
import { OnBehalfField } from './on-behalf-field.tsx';
import './catalog.css';

/**
 * An item's order form, rendered from its definition: each field with its label, help and
 * required mark; fields shown or hidden by their conditions as the person answers; the server's
 * 400 mapped back onto each field, announced, and the first invalid field focused. "Order" places
 * this item alone; "Add to order" checks it with the server and puts it in the order being put
 * together (`/catalog/order`), to be placed with other items as one request.
 */
export function OrderPage({ id: itemId }: { id: string }) {
  const { api, session } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => catalog.item(itemId), [catalog, itemId]);
  const { load, reload } = useQuery(`catalog:item:${itemId}`, fetcher, 'This item could not be loaded.');
  usePageTitle(load.status === 'ready' ? `Order: ${load.data.name}` : 'Order');
  const id = useId();
  const cart = useCart();
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>({});
  const [requestedFor, setRequestedFor] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [added, setAdded] = useState(false);
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

  function failed(failure: unknown) {
    setBusy(false);
    if (isFieldFailure(failure)) {
      const problems = problemsByLine(failure);
      const byField = { ...problems.get(0), ...problems.get('order') };
      setErrors(byField);
      setFormError('Some answers need another look.');
      const first = shown.find((f) => byField[f.id]);
      requestAnimationFrame(() =>
        (first
          ? document.getElementById(`${id}-${first.id}`)
          : byField.requestedFor
            ? document.getElementById(`${id}-for`)
            : summary.current
        )?.focus(),
      );
    } else setFormError(failure instanceof ApiError ? failure.message : 'Your order could not be sent.');
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const adding = (event.nativeEvent as SubmitEvent).submitter?.getAttribute('value') === 'add';
    setBusy(true);
    setErrors({});
    setFormError(undefined);
    setAdded(false);
    // Only what is shown is sent: a hidden field's old answer would be refused.
    const visible = new Set(shown.map((f) => f.id));
    const sent = Object.fromEntries(Object.entries(answers).filter(([key]) => visible.has(key)));
    const line = { itemId: item.id, answers: sent };
    const onBehalf = requestedFor.trim() || undefined;
    try {
      if (adding) {
        await catalog.check([line]);
        const labels = Object.fromEntries(item.form.map((f) => [f.id, f.label]));
        writeCart([...readCart(), { ...line, name: item.name, labels }]);
        setAnswers({});
        setAdded(true);
        setBusy(false);
        return;
      }
      const request = await catalog.order([line], onBehalf);
      invalidate('requests');
      navigate(paths.request(request.id));
    } catch (failure) {
      failed(failure);
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
      <div role="status">
        {added && (
          <Notice tone="success">
            {item.name} is in your order ({cart.length} {cart.length === 1 ? 'item' : 'items'}).{' '}
            <Link to={paths.catalogCart}>Review and place your order</Link>
          </Notice>
        )}
      </div>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {isAgent(session) && (
          <OnBehalfField
            id={`${id}-for`}
            value={requestedFor}
            error={errors.requestedFor}
            onChange={setRequestedFor}
          />
        )}
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
          <button type="submit" className="button" name="action" value="order" disabled={busy}>
            {busy ? 'Sending…' : 'Order'}
          </button>
          <button type="submit" className="button secondary" name="action" value="add" disabled={busy}>
            Add to order
          </button>
          {cart.length > 0 && (
            <Link to={paths.catalogCart}>
              Your order ({cart.length} {cart.length === 1 ? 'item' : 'items'})
            </Link>
          )}
        </div>
      </form>
    </>
  );
}
