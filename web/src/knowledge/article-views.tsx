import { useEffect, useState } from 'react';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';

/**
 * Counts one read of an article when it opens; opened from the ticket form's suggestions, it
 * also offers "This solved it", counted as a deflection (a ticket not sent), and the way back
 * to the form for a question it did not answer.
 */
export function ArticleViews({ id, fromSuggestion }: { id: string; fromSuggestion: boolean }) {
  const { api } = usePortal();
  const [solved, setSolved] = useState<'no' | 'sending' | 'yes' | 'failed'>('no');
  useEffect(() => {
    api
      .request(`/knowledge/${encodeURIComponent(id)}/views`, {
        method: 'POST',
        body: { source: fromSuggestion ? 'suggestion' : 'direct' },
      })
      .catch(() => undefined);
  }, [api, id, fromSuggestion]);
  if (!fromSuggestion) return null;
  if (solved === 'yes')
    return (
      <p className="notice notice-success" role="status">
        Glad it helped. Nothing was sent to the service desk.
      </p>
    );
  return (
    <aside className="knowledge-solved" aria-label="Did this answer your question">
      <p>You opened this while writing a ticket.</p>
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={solved === 'sending'}
          onClick={() => {
            setSolved('sending');
            api
              .request(`/knowledge/${encodeURIComponent(id)}/solved`, { method: 'POST' })
              .then(() => setSolved('yes'))
              .catch(() => setSolved('failed'));
          }}
        >
          This solved it
        </button>
        <Link to={paths.newTicket('incident')} className="button button-secondary">
          I still need help
        </Link>
      </div>
      {solved === 'failed' && <p role="alert">That could not be saved. Try again.</p>}
    </aside>
  );
}
