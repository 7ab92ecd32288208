import { useEffect, useId, useState } from 'react';
import { linkCall } from '../changes/change-api.ts';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';

interface Preview {
  readonly link: { decision: 'approved' | 'rejected'; approver: string };
  readonly release: { number: string; name: string; plannedStart: string; plannedEnd: string };
  readonly status: string;
}

/**
 * Where a go/no-go link from mail lands. Opening it decides nothing (mail scanners open links);
 * the button's POST does, once. No sign-in: the signed link is the credential.
 */
export function ReleaseLinkPage({ apiBase, token }: { apiBase: string; token: string }) {
  usePageTitle('Confirm your go/no-go');
  const id = useId();
  const [preview, setPreview] = useState<Preview>();
  const [failure, setFailure] = useState<string>();
  const [decided, setDecided] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const call = <T,>(body?: { comment?: string }) =>
    linkCall<T>(apiBase, token, body, 'release-approval-links');
  const message = (error: unknown, fallback: string) =>
    error instanceof ApiError ? error.message : fallback;

  // biome-ignore lint/correctness/useExhaustiveDependencies: read once per token
  useEffect(() => {
    call<Preview>().then(setPreview, (error: unknown) =>
      setFailure(message(error, 'This link could not be read.')),
    );
  }, [apiBase, token]);

  if (failure && !preview)
    return (
      <>
        <PageHeading>This link cannot be used</PageHeading>
        <ErrorNotice message={failure} />
      </>
    );
  if (!preview) return <Loading label="Reading the link…" />;
  const verb = preview.link.decision === 'approved' ? 'Go' : 'No-go';
  if (decided)
    return (
      <>
        <PageHeading>Decision recorded</PageHeading>
        <Notice tone="success">
          You said {verb.toLowerCase()} for {preview.release.number}.
        </Notice>
      </>
    );
  return (
    <>
      <PageHeading>
        {verb} for {preview.release.number}?
      </PageHeading>
      <p className="lead">{preview.release.name}</p>
      {failure && <ErrorNotice message={failure} />}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          call(comment.trim() ? { comment: comment.trim() } : {}).then(
            () => setDecided(true),
            (error: unknown) => {
              setBusy(false);
              setFailure(message(error, 'Your decision could not be recorded.'));
            },
          );
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-comment`}>Comment</label>
          <textarea
            id={`${id}-comment`}
            rows={3}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
          />
        </div>
        <button type="submit" className="button" disabled={busy || preview.status !== 'pending'}>
          {verb}
        </button>
        {preview.status !== 'pending' && <p className="muted">This decision is already {preview.status}.</p>}
      </form>
    </>
  );
}
