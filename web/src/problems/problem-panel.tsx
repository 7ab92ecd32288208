import { useCallback, useId, useMemo, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { ErrorNotice } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import type { Ticket } from '../shared/types.ts';
import { type KnownError, problemApi, problemStateLabels } from './problem-api.ts';

/**
 * The incident workspace's problem panel: the problem behind the incident, or the known errors
 * that match it (linking one can answer the caller with its workaround), a link by number, and
 * a new problem opened from this incident.
 */
export function ProblemPanel({ ticket }: { ticket: Ticket }) {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  const invalidate = useInvalidate();
  const id = useId();
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const linked = useQuery(
    `problems:of-ticket:${ticket.id}`,
    useCallback(() => problems.ofTicket(ticket.id), [problems, ticket.id]),
    'The problem could not be loaded.',
  );
  const hasProblem = linked.load.status === 'ready' && Boolean(linked.load.data.problem);
  const known = useQuery(
    `problems:known-for:${ticket.id}`,
    useCallback(
      () =>
        hasProblem
          ? Promise.resolve({ items: [] as KnownError[] })
          : problems.knownErrors({ ticketId: ticket.id }),
      [problems, ticket.id, hasProblem],
    ),
    'The known errors could not be loaded.',
  );

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    try {
      await action();
      invalidate(
        `problems:of-ticket:${ticket.id}`,
        `problems:known-for:${ticket.id}`,
        `ticket:${ticket.id}`,
        `history:${ticket.id}`,
        'problems:',
      );
      setMessage(done);
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(failure instanceof ApiError ? failure.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  }

  const link = (problemId: string, number: string, insertWorkaround: boolean) =>
    run(
      () => problems.linkTicket(ticket.id, problemId, insertWorkaround),
      insertWorkaround
        ? `Linked to ${number}; its workaround was sent to the caller.`
        : `Linked to ${number}.`,
    );

  async function create() {
    setBusy(true);
    setError(undefined);
    try {
      const problem = await problems.create({ fromTicketId: ticket.id });
      invalidate('problems:', `problems:of-ticket:${ticket.id}`);
      navigate(paths.problem(problem.id));
    } catch (failure) {
      if (!(failure instanceof SessionExpiredError))
        setError(failure instanceof ApiError ? failure.message : 'The problem could not be opened.');
      setBusy(false);
    }
  }

  const problem = linked.load.status === 'ready' ? linked.load.data.problem : undefined;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Problem</h2>
      {problem ? (
        <>
          <p>
            <Link to={paths.problem(problem.id)}>
              {problem.number} · {problem.shortDescription}
            </Link>{' '}
            <span className="muted">({problemStateLabels[problem.state]})</span>
          </p>
          {problem.workaroundPublished && problem.workaround && (
            <p className="text-body">
              <strong>Workaround:</strong> {problem.workaround}
            </p>
          )}
        </>
      ) : (
        <>
          {known.load.status === 'ready' && known.load.data.items.length > 0 && (
            <>
              <h3>Known errors that match</h3>
              <ul className="known-error-list">
                {known.load.data.items.slice(0, 5).map((error) => (
                  <li key={error.id}>
                    <p>
                      <Link to={paths.problem(error.id)}>{error.number}</Link> {error.shortDescription}
                    </p>
                    <p className="muted text-body">{error.workaround}</p>
                    <div className="button-row">
                      <button
                        type="button"
                        className="button button-secondary"
                        disabled={busy}
                        onClick={() => void link(error.id, error.number, false)}
                      >
                        Link
                      </button>
                      <button
                        type="button"
                        className="button button-secondary"
                        disabled={busy}
                        onClick={() => void link(error.id, error.number, true)}
                      >
                        Link and send workaround
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            </>
          )}
          <form
            onSubmit={async (event) => {
              event.preventDefault();
              const number = String(new FormData(event.currentTarget).get('number') ?? '')
                .trim()
                .toUpperCase();
              if (!number) return setError('Enter a problem number, e.g. PRB0001001.');
              await run(async () => {
                const found = await problems.byNumber(number);
                await problems.linkTicket(ticket.id, found.id, false);
              }, `Linked to ${number}.`);
            }}
          >
            <div className="field">
              <label htmlFor={`${id}-number`}>Link to problem (number)</label>
              <input
                id={`${id}-number`}
                name="number"
                maxLength={20}
                autoComplete="off"
                placeholder="PRB0001001"
              />
            </div>
            <div className="button-row">
              <button type="submit" className="button button-secondary" disabled={busy}>
                Link to problem
              </button>
              <button
                type="button"
                className="button button-secondary"
                disabled={busy}
                onClick={() => void create()}
              >
                Create problem from this incident
              </button>
            </div>
          </form>
        </>
      )}
      {error && <ErrorNotice message={error} />}
      {message && (
        <p className="success-text" role="status">
          {message}
        </p>
      )}
    </section>
  );
}

/** The requester's ticket page: a published workaround of the problem behind their incident. */
export function KnownWorkaround({ ticketId }: { ticketId: string }) {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  const { load } = useQuery(
    `problems:of-ticket:${ticketId}`,
    useCallback(() => problems.ofTicket(ticketId), [problems, ticketId]),
    'The workaround could not be loaded.',
  );
  if (load.status !== 'ready' || !load.data.knownError?.workaround) return null;
  return (
    <section className="notice known-workaround" aria-labelledby="workaround-heading">
      <h2 id="workaround-heading">A known issue, with a workaround</h2>
      <p>
        The service desk knows this issue ({load.data.knownError.shortDescription}) and is working on a fix.
        Until then:
      </p>
      <p className="text-body">{load.data.knownError.workaround}</p>
    </section>
  );
}
