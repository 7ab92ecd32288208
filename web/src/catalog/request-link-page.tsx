import { useEffect, useId, useState } from 'react';
import { linkCall } from '../changes/change-api.ts';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';

interface Preview {
  readonly link: { decision: 'approved' | 'rejected'; approver: string };
  readonly request: { number: string; summary: string; requestedFor: string; cost?: number };
  readonly status: string;
}

/**
 * Where a catalog request's approve / reject link from mail lands. Opening it decides nothing
 * (mail scanners open links); the button's POST does, once. No sign-in: the signed link is the credential.
 */
export function RequestLinkPage({ apiBase, token }: { apiBase: string; token: string }) {
  usePageTitle('Confirm your decision');
  const id = useId();
  const [preview, setPreview] = useState<Preview>();
  const [failure, setFailure] = useState<string>();
  const [decided, setDecided] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const call = <T,>(body?: { comment?: string }) =>
    linkCall<T>(apiBase, token, body, 'request-approval-links');
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
        <PageHeading>This approval link cannot be used</PageHeading>
        <ErrorNotice message={failure} />
      </>
    );
  if (!preview) return <Loading label="Reading the approval link…" />;
  const verb = preview.link.decision === 'approved' ? 'Approve' : 'Reject';
  if (decided)
    return (
      <>
        <PageHeading>Decision recorded</PageHeading>
        <Notice tone="success">
          You {preview.link.decision} {preview.request.number}.
        </Notice>
      </>
    );
  return (
    <>
      <PageHeading>
        {verb} {preview.request.number}?
      </PageHeading>
      <p className="lead">
        {preview.request.summary} for {preview.request.requestedFor}
        {preview.request.cost !== undefined ? ` (cost ${preview.request.cost})` : ''}.
      </p>
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
          <label htmlFor={`${id}-comment`}>
            {preview.link.decision === 'rejected' ? 'Reason (mailed to the requester)' : 'Comment'}
          </label>
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
        {preview.status !== 'pending' && <p className="muted">This approval is already {preview.status}.</p>}
      </form>
    </>
  );
}
