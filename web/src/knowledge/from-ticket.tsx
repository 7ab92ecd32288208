import { useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate } from '../shared/query-cache.ts';
import { navigate, paths } from '../shared/router.tsx';
import { knowledgeApi } from './knowledge-api.ts';

/**
 * Turns a resolved ticket into a draft knowledge article (its subject, its description as the
 * problem, its resolution as the solution) and opens the draft in the editor.
 */
export function ArticleFromTicket({ ticketId }: { ticketId: string }) {
  const { api } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const invalidate = useInvalidate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="button button-secondary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            const draft = await knowledge.fromTicket(ticketId);
            invalidate('knowledge');
            navigate(paths.editArticle(draft.id));
          } catch (failure) {
            setBusy(false);
            setError(failureMessage(failure, 'The article could not be drafted. Try again.'));
          }
        }}
      >
        Turn into a knowledge article
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
