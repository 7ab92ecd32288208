import { useCallback, useEffect, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import type { QuarantinedMail } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { usePaged } from '../shared/use-paged.ts';

/** How long the page waits for the inbound function to report a release (it runs asynchronously). */
const RELEASE_WAIT_MS = 30_000;
const RELEASE_POLL_MS = 1_000;

/**
 * Admins: mail kept out of the ticket flow, with the reason and a text preview; release into a
 * ticket (the outcome is shown when the inbound function has run: the ticket, or why not), or
 * discard.
 */
export function QuarantinePage() {
  const { api } = usePortal();
  usePageTitle('Quarantined mail');
  const fetcher = useCallback((cursor?: string) => api.listQuarantine(cursor), [api]);
  const list = usePaged(fetcher, 'The quarantine could not be loaded.');
  const reload = list.reload;
  /** Releases asked for and not yet reported: id → when asked. */
  const [waiting, setWaiting] = useState<ReadonlyMap<string, number>>(new Map());
  const [error, setError] = useState<string>();

  // While a release is under way, read the list again until the entry says how it went.
  useEffect(() => {
    if (waiting.size === 0) return;
    const timer = window.setTimeout(() => void reload(), RELEASE_POLL_MS);
    return () => window.clearTimeout(timer);
  }, [waiting, reload]);
  useEffect(() => {
    if (waiting.size === 0) return;
    const still = new Map(
      [...waiting].filter(([id, asked]) => {
        const mail = list.items.find((m) => m.id === id);
        const reported =
          mail?.released || (mail?.releaseFailure && Date.parse(mail.releaseFailure.at) >= asked - 5_000);
        return !reported && Date.now() - asked < RELEASE_WAIT_MS;
      }),
    );
    if (still.size !== waiting.size) setWaiting(still);
  }, [list.items, waiting]);

  async function act(id: string, action: 'release' | 'discard') {
    setError(undefined);
    try {
      if (action === 'release') {
        await api.releaseQuarantined(id);
        setWaiting((ids) => new Map([...ids, [id, Date.now()]]));
      } else {
        await api.discardQuarantined(id);
        await reload();
      }
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(failure instanceof ApiError ? failure.message : `The message could not be ${action}d.`);
    }
  }

  return (
    <>
      <PageHeading>Quarantined mail</PageHeading>
      <p className="lead">
        Mail Spoke did not turn into tickets (spam, viruses, failed DMARC, unknown senders). It was never
        answered. Releasing a message makes a ticket from it; discarding keeps it out for good.
      </p>
      {list.status === 'loading' && list.items.length === 0 && <Loading label="Loading quarantined mail…" />}
      {list.error && <ErrorNotice message={list.error} onRetry={() => void reload()} />}
      {error && <ErrorNotice message={error} />}
      {list.status === 'ready' && list.items.length === 0 && (
        <p className="empty">Nothing is in quarantine.</p>
      )}
      {list.items.length > 0 && (
        <ul className="ticket-list" aria-label="Quarantined messages">
          {list.items.map((mail) => (
            <li key={mail.id} className="ticket-item quarantine-item">
              <div className="quarantine-text">
                <p className="ticket-summary">{mail.subject || '(no subject)'}</p>
                <p className="muted">
                  From {mail.from || 'unknown sender'} · <DateTime iso={mail.receivedAt} />
                </p>
                <p>Reason: {mail.reason}</p>
                {mail.preview ? (
                  <details className="quarantine-preview">
                    <summary>
                      Preview the text <span className="visually-hidden">of {mail.subject || mail.id}</span>
                    </summary>
                    <pre>{mail.preview}</pre>
                  </details>
                ) : (
                  <p className="muted">No text preview (the message could not be read).</p>
                )}
              </div>
              <Outcome
                mail={mail}
                waiting={waiting.has(mail.id)}
                onRelease={() => void act(mail.id, 'release')}
                onDiscard={() => void act(mail.id, 'discard')}
              />
            </li>
          ))}
        </ul>
      )}
      {list.status !== 'failed' && (
        <LoadMore
          cursor={list.cursor}
          busy={list.status === 'loading-more'}
          onLoad={() => void list.loadMore()}
        />
      )}
    </>
  );
}

function Outcome(props: {
  mail: QuarantinedMail;
  waiting: boolean;
  onRelease: () => void;
  onDiscard: () => void;
}) {
  const { mail, waiting } = props;
  const label = <span className="visually-hidden">{mail.subject || mail.id}</span>;
  if (mail.released)
    return (
      <p className="success-text" role="status">
        Released by {mail.released.by}
        {mail.released.ticketNumber && ' as '}
        {mail.released.ticketNumber &&
          (mail.released.ticketId ? (
            <Link to={paths.workspace(mail.released.ticketId)}>{mail.released.ticketNumber}</Link>
          ) : (
            mail.released.ticketNumber
          ))}
        .
      </p>
    );
  if (mail.discarded)
    return (
      <p className="muted">
        Discarded by {mail.discarded.by} <DateTime iso={mail.discarded.at} />.
      </p>
    );
  return (
    <div className="quarantine-actions">
      {waiting ? (
        <p role="status">Releasing…</p>
      ) : (
        mail.releaseFailure && (
          <p className="field-error" role="alert">
            Not released: {mail.releaseFailure.reason}. It stays in quarantine.
          </p>
        )
      )}
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary"
          disabled={waiting}
          onClick={props.onRelease}
        >
          {mail.releaseFailure ? 'Try the release again' : 'Release'} {label}
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={waiting}
          onClick={props.onDiscard}
        >
          Discard {label}
        </button>
      </div>
    </div>
  );
}
