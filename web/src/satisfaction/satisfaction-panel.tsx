import { type FormEvent, useCallback, useId, useState } from 'react';
import type { Rating } from '../../../functions/core/satisfaction/satisfaction.ts';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Notice } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useQuery } from '../shared/query-cache.ts';
import { ScoreChoice, scoreLabels } from './score-choice.tsx';

interface TicketRating {
  readonly rating: Rating | null;
  readonly open: boolean;
  readonly changeableUntil: string;
}

/** A resolved ticket's rating on the requester's page: give it, or change it until the survey closes. */
export function SatisfactionPanel({ ticketId, requester }: { ticketId: string; requester: boolean }) {
  const { api } = usePortal();
  const id = useId();
  const path = `/tickets/${encodeURIComponent(ticketId)}/satisfaction`;
  const fetcher = useCallback(() => api.request<TicketRating>(path), [api, path]);
  const { load, set } = useQuery(`satisfaction:${ticketId}`, fetcher, 'The rating could not be loaded.');
  const [score, setScore] = useState<number>();
  const [comment, setComment] = useState<string>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  if (load.status !== 'ready') return null;
  const { rating, open, changeableUntil } = load.data;
  if (!rating && !(open && requester)) return null;
  const chosen = score ?? rating?.score;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!chosen) {
      setError('Choose a rating first.');
      return;
    }
    setError(undefined);
    setSaved(false);
    try {
      const text = (comment ?? rating?.comment ?? '').trim();
      const next = await api.request<Rating>(path, {
        method: 'PUT',
        body: { score: chosen, ...(text ? { comment: text } : {}), version: rating?.version ?? 0 },
      });
      set({ rating: next, open, changeableUntil });
      setSaved(true);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : 'Your rating could not be saved.');
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Your rating</h2>
      {rating && (
        <p>
          Rated {rating.score} – {scoreLabels[rating.score]}
          {rating.comment ? `: “${rating.comment}”` : ''}
        </p>
      )}
      {open && requester && (
        <form className="form" onSubmit={(e) => void save(e)}>
          <ScoreChoice name={`${id}-score`} value={chosen} onChange={setScore} />
          <div className="field">
            <label htmlFor={`${id}-comment`}>Comment (optional)</label>
            <textarea
              id={`${id}-comment`}
              rows={2}
              maxLength={2000}
              value={comment ?? rating?.comment ?? ''}
              onChange={(e) => setComment(e.currentTarget.value)}
            />
          </div>
          <button type="submit" className="button">
            {rating ? 'Change my rating' : 'Send my rating'}
          </button>
          <p className="muted">You can change it until {changeableUntil.slice(0, 10)}.</p>
        </form>
      )}
      {saved && <Notice tone="success">Thank you: your rating is saved.</Notice>}
      {error && <ErrorNotice message={error} />}
    </section>
  );
}
