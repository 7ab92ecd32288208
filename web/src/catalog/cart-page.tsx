import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, PageHeading } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { useInvalidate } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { answersText, isFieldFailure, problemsByLine, useCart, writeCart } from './cart.ts';
import { catalogApi } from './catalog-api.ts';
import { OnBehalfField } from './on-behalf-field.tsx';
import './catalog.css';

/**
 * The order being put together: its items with their answers, removable one by one, placed as
 * ONE request (`REQ…`) whose requested items are each checked against their item's form version.
 * A 400 is shown on its line, naming the item and the field as the form labels it.
 */
export function CartPage() {
  const { api, session } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  usePageTitle('Your order');
  const id = useId();
  const lines = useCart();
  const [requestedFor, setRequestedFor] = useState('');
  const [problems, setProblems] = useState<ReturnType<typeof problemsByLine>>(new Map());
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  async function place(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblems(new Map());
    setFormError(undefined);
    try {
      const request = await catalog.order(
        lines.map(({ itemId, answers }) => ({ itemId, answers })),
        requestedFor.trim() || undefined,
      );
      writeCart([]);
      invalidate('requests');
      navigate(paths.request(request.id));
    } catch (failure) {
      setBusy(false);
      if (isFieldFailure(failure)) {
        setProblems(problemsByLine(failure));
        setFormError('Some items of your order need another look.');
      } else setFormError(failure instanceof ApiError ? failure.message : 'Your order could not be sent.');
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  const remove = (index: number) => {
    writeCart(lines.filter((_, i) => i !== index));
    setProblems(new Map());
  };

  return (
    <>
      <PageHeading>Your order</PageHeading>
      <div ref={summary} tabIndex={-1} role="alert">
        {formError && <ErrorNotice message={formError} />}
        {[...problems.entries()].map(([line, fields]) => {
          const cartLine = typeof line === 'number' ? lines[line] : undefined;
          return Object.entries(fields).map(([field, message]) => (
            <p key={`${line}-${field}`} className="field-error">
              {cartLine
                ? `${cartLine.name}: ${cartLine.labels[field] ?? field} ${message}`
                : `${field === 'requestedFor' ? 'Ordering for' : field} ${message}`}
            </p>
          ));
        })}
      </div>
      {lines.length === 0 ? (
        <p className="empty">
          Nothing in your order yet. <Link to={paths.catalog}>Browse the catalog</Link>
        </p>
      ) : (
        <form className="form" onSubmit={(e) => void place(e)} noValidate>
          <ul className="ticket-list" aria-label="Items in your order">
            {lines.map((line, index) => (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: the same item may be ordered twice with other answers
                key={`${line.itemId}-${index}`}
                className="ticket-item"
              >
                <p className="ticket-summary">{line.name}</p>
                <p className="muted">{answersText(line) || 'No answers needed'}</p>
                <button
                  type="button"
                  className="button secondary"
                  aria-label={`Remove ${line.name} (item ${index + 1})`}
                  onClick={() => remove(index)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          {isAgent(session) && (
            <OnBehalfField
              id={`${id}-for`}
              value={requestedFor}
              error={problems.get('order')?.requestedFor}
              onChange={setRequestedFor}
            />
          )}
          <div className="form-actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? 'Placing…' : `Place order (${lines.length} ${lines.length === 1 ? 'item' : 'items'})`}
            </button>
            <Link to={paths.catalog}>Add something else</Link>
          </div>
        </form>
      )}
    </>
  );
}
