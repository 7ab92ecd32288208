import { useEffect, useId, useState } from 'react';
import { linkCall } from '../changes/change-api.ts';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { ScoreChoice, scoreLabels } from './score-choice.tsx';

const message = (error: unknown, fallback: string) => (error instanceof ApiError ? error.message : fallback);

interface Preview {
  readonly ticket: { readonly number: string; readonly summary: string };
  readonly rated: boolean;
  readonly changeableUntil: string;
}

/**
 * Where a rating link of a resolution mail lands. Opening it rates nothing (mail scanners open
 * links); the button's POST does, once. The score in the link is preselected. No sign-in: the
 * signed link is the credential.
 */
export function SurveyLinkPage({
  apiBase,
  token,
  search,
}: {
  apiBase: string;
  token: string;
  search: string;
}) {
  usePageTitle('Rate your ticket');
  const id = useId();
  const preset = Number(new URLSearchParams(search).get('score'));
  const [score, setScore] = useState<number | undefined>(preset >= 1 && preset <= 5 ? preset : undefined);
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<Preview>();
  const [failure, setFailure] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    linkCall<Preview>(apiBase, token, undefined, 'satisfaction-links').then(setPreview, (error: unknown) =>
      setFailure(message(error, 'This link could not be read.')),
    );
  }, [apiBase, token]);

  if (failure && !preview)
    return (
      <>
        <PageHeading>This rating link cannot be used</PageHeading>
        <ErrorNotice message={failure} />
      </>
    );
  if (!preview) return <Loading label="Reading the rating link…" />;
  if (done)
    return (
      <>
        <PageHeading>Thank you</PageHeading>
        <Notice tone="success">
          You rated {preview.ticket.number} “{score ? scoreLabels[score] : ''}”. You can change it on the
          ticket’s page until {preview.changeableUntil.slice(0, 10)}.
        </Notice>
      </>
    );
  return (
    <>
      <PageHeading>Rate {preview.ticket.number}</PageHeading>
      <p className="lead">{preview.ticket.summary}</p>
      {preview.rated && (
        <Notice tone="info">This ticket is rated already; change the rating on its page.</Notice>
      )}
      {failure && <ErrorNotice message={failure} />}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!score) {
            setFailure('Choose a rating first.');
            return;
          }
          setBusy(true);
          linkCall(
            apiBase,
            token,
            { score, ...(comment.trim() ? { comment: comment.trim() } : {}) },
            'satisfaction-links',
          ).then(
            () => setDone(true),
            (error: unknown) => {
              setBusy(false);
              setFailure(message(error, 'Your rating could not be saved.'));
            },
          );
        }}
      >
        <ScoreChoice name={`${id}-score`} value={score} onChange={setScore} />
        <div className="field">
          <label htmlFor={`${id}-comment`}>Comment (optional)</label>
          <textarea
            id={`${id}-comment`}
            rows={3}
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
          />
        </div>
        <button type="submit" className="button" disabled={busy || preview.rated}>
          Send my rating
        </button>
      </form>
    </>
  );
}
