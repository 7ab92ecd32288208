import { useCallback, useState } from 'react';
import { ApiError, SessionExpiredError } from '../../api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../../components.tsx';
import { LoadMore } from '../../load-more.tsx';
import { usePortal } from '../../portal-context.ts';
import { usePageTitle } from '../../use-page-title.ts';
import { usePaged } from '../../use-paged.ts';

/** Admins: mail kept out of the ticket flow, with the reason, and the release into it. */
export function QuarantinePage() {
  const { api } = usePortal();
  usePageTitle('Quarantined mail');
  const fetcher = useCallback((cursor?: string) => api.listQuarantine(cursor), [api]);
  const list = usePaged(fetcher, 'The quarantine could not be loaded.');
  const reload = list.reload;
  const [requested, setRequested] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string>();

  async function release(id: string) {
    setError(undefined);
    try {
      await api.releaseQuarantined(id);
      setRequested((ids) => new Set([...ids, id]));
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(failure instanceof ApiError ? failure.message : 'The message could not be released.');
    }
  }

  return (
    <>
      <PageHeading>Quarantined mail</PageHeading>
      <p className="lead">
        Mail Spoke did not turn into tickets (spam, viruses, failed DMARC, unknown senders). It was never
        answered. Releasing a message makes a ticket from it.
      </p>
      {list.status === 'loading' && <Loading label="Loading quarantined mail…" />}
      {list.error && <ErrorNotice message={list.error} onRetry={() => void reload()} />}
      {error && <ErrorNotice message={error} />}
      {list.status === 'ready' && list.items.length === 0 && (
        <p className="empty">Nothing is in quarantine.</p>
      )}
      {list.items.length > 0 && (
        <ul className="ticket-list" aria-label="Quarantined messages">
          {list.items.map((mail) => (
            <li key={mail.id} className="ticket-item quarantine-item">
              <div>
                <p className="ticket-summary">{mail.subject || '(no subject)'}</p>
                <p className="muted">
                  From {mail.from || 'unknown sender'} · <DateTime iso={mail.receivedAt} />
                </p>
                <p>Reason: {mail.reason}</p>
                {mail.releaseRefused && !mail.released && (
                  <p className="field-error">
                    Release by {mail.releaseRefused.by} made no ticket: {mail.releaseRefused.reason}
                  </p>
                )}
              </div>
              {mail.released ? (
                <p className="success-text">
                  Released by {mail.released.by}
                  {mail.released.ticketNumber ? ` as ${mail.released.ticketNumber}` : ''}
                </p>
              ) : requested.has(mail.id) ? (
                <p className="success-text" role="status">
                  Release requested.{' '}
                  <button type="button" className="link-button" onClick={() => void reload()}>
                    Refresh
                  </button>
                </p>
              ) : (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => void release(mail.id)}
                >
                  Release <span className="visually-hidden">{mail.subject || mail.id}</span>
                </button>
              )}
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
