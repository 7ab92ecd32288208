import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { ApiError, failureMessage } from '../shared/api.ts';
import { DateTime, Notice } from '../shared/components.tsx';
import { isAdmin, usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import {
  type KnowledgeArticle,
  type KnowledgeState,
  knowledgeApi,
  knowledgeStateLabels,
} from './knowledge-api.ts';

interface Move {
  readonly to: KnowledgeState;
  readonly label: string;
  /** The comment box: required (sending back), offered, or none. */
  readonly comment?: 'required' | 'optional';
  readonly secondary?: boolean;
}

/** The moves this agent may make: publishing, sending back and retiring take an agent other than the author. */
function movesFor(article: KnowledgeArticle, reviewer: boolean): Move[] {
  switch (article.state) {
    case 'draft':
      return [{ to: 'review', label: 'Submit for review' }];
    case 'review':
      return reviewer
        ? [
            { to: 'published', label: 'Approve and publish', comment: 'optional' },
            { to: 'draft', label: 'Send back to the author', comment: 'required', secondary: true },
          ]
        : [];
    case 'published':
      return [
        ...(reviewer
          ? [{ to: 'retired' as const, label: 'Retire', comment: 'optional' as const, secondary: true }]
          : []),
        { to: 'draft', label: 'Move to draft to rewrite', secondary: true },
      ];
    case 'retired':
      return [{ to: 'draft', label: 'Take up again as a draft', secondary: true }];
  }
}

/**
 * The article's lifecycle: draft → review → published → retired. The author submits; another
 * agent approves and publishes it, or sends it back with a comment the author reads here; the
 * review notes are the history's state changes with their comments.
 */
export function ReviewPanel(props: {
  article: KnowledgeArticle;
  onChanged: (article: KnowledgeArticle) => void;
}) {
  const { article } = props;
  const { api, session } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const invalidate = useInvalidate();
  const id = useId();
  const author = article.author.email.toLowerCase() === session.email.toLowerCase();
  const reviewer = !author || isAdmin(session);
  const moves = movesFor(article, reviewer);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const history = useQuery(
    `knowledge:history:${article.id}:${article.version}`,
    useCallback(() => knowledge.history(article.id), [knowledge, article.id]),
    'The review notes could not be loaded.',
  );
  const notes =
    history.load.status === 'ready' ? history.load.data.items.filter((entry) => entry.field === 'state') : [];

  async function move(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const chosen = moves.find((m) => m.to === submitter?.value);
    if (!chosen) return;
    const comment = String(new FormData(form).get('comment') ?? '').trim();
    if (chosen.comment === 'required' && !comment) {
      setMessage({ ok: false, text: 'Say in the comment what the author should change.' });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      const next = await knowledge.update(article.id, {
        version: article.version,
        state: chosen.to,
        ...(comment && chosen.comment ? { comment } : {}),
      });
      invalidate('knowledge');
      props.onChanged(next);
      setMessage({ ok: true, text: `The article is now ${knowledgeStateLabels[next.state].toLowerCase()}.` });
      form.reset();
    } catch (failure) {
      const fields = failure instanceof ApiError ? failure.fields.map((f) => `${f.path} ${f.message}`) : [];
      setMessage({
        ok: false,
        text: [failureMessage(failure, 'It could not be done. Try again.'), ...fields].join(': '),
      });
    } finally {
      setBusy(false);
    }
  }

  const withComment = moves.some((m) => m.comment);
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Review</h2>
      <p>
        {knowledgeStateLabels[article.state]}. Written by {article.author.name ?? article.author.email}
        {article.approver && `; approved by ${article.approver.name ?? article.approver.email}`}.
      </p>
      {article.state === 'review' && !reviewer && (
        <p className="hint">
          Waiting for another agent to approve it: an author cannot publish their own article.
        </p>
      )}
      {moves.length > 0 && (
        <form onSubmit={move} className="form">
          {withComment && (
            <div className="field">
              <label htmlFor={`${id}-comment`}>
                Comment <span className="optional">(required to send it back)</span>
              </label>
              <textarea id={`${id}-comment`} name="comment" rows={3} maxLength={2000} />
            </div>
          )}
          <div className="button-row">
            {moves.map((m) => (
              <button
                key={m.to}
                type="submit"
                value={m.to}
                className={m.secondary ? 'button button-secondary' : 'button'}
                disabled={busy}
              >
                {m.label}
              </button>
            ))}
          </div>
        </form>
      )}
      {message && <Notice tone={message.ok ? 'success' : 'error'}>{message.text}</Notice>}
      {notes.length > 0 && (
        <>
          <h3>Review notes</h3>
          <ol className="review-notes">
            {notes.map((entry) => (
              <li key={`${entry.at}:${String(entry.newValue)}`}>
                <DateTime iso={entry.at} /> {entry.actor.email}:{' '}
                {knowledgeStateLabels[entry.newValue as KnowledgeState] ?? String(entry.newValue)}
                {entry.reason && <q>{entry.reason}</q>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
