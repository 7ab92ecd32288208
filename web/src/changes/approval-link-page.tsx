import { useEffect, useId, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type LinkPreview, linkCall, stepLabels } from './change-api.ts';
import './changes.css';

type State =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly preview: LinkPreview }
  | { readonly status: 'decided'; readonly preview: LinkPreview; readonly settled: boolean }
  | { readonly status: 'failed'; readonly message: string };

/**
 * Where an approve / reject link from mail lands. Opening it decides nothing (mail scanners open
 * links too); the button's POST does, once. No sign-in: the signed link names the approver.
 */
export function ApprovalLinkPage({ apiBase, token }: { apiBase: string; token: string }) {
  usePageTitle('Confirm your decision');
  const id = useId();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    linkCall<LinkPreview>(apiBase, token).then(
      (preview) => setState({ status: 'ready', preview }),
      (failure: unknown) =>
        setState({
          status: 'failed',
          message: failure instanceof ApiError ? failure.message : 'This link could not be read.',
        }),
    );
  }, [apiBase, token]);

  async function confirm(preview: LinkPreview) {
    setBusy(true);
    setError(undefined);
    try {
      const result = await linkCall<{ settled: boolean }>(
        apiBase,
        token,
        comment.trim() ? { comment: comment.trim() } : {},
      );
      setState({ status: 'decided', preview, settled: result.settled });
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof ApiError ? failure.message : 'Your decision could not be recorded.');
    }
  }

  if (state.status === 'loading') return <Loading label="Reading the approval link…" />;
  if (state.status === 'failed')
    return (
      <>
        <PageHeading>This approval link cannot be used</PageHeading>
        <ErrorNotice message={state.message} />
        <p>Sign in to Spoke and decide in your approvals inbox instead.</p>
      </>
    );
  const { preview } = state;
  const verb = preview.link.decision === 'approved' ? 'Approve' : 'Reject';
  if (state.status === 'decided')
    return (
      <>
        <PageHeading>Decision recorded</PageHeading>
        <Notice tone="success">
          You {preview.link.decision === 'approved' ? 'approved' : 'rejected'} {preview.change.number}
          {state.settled ? '; this settles the approval.' : '; other approvers still decide.'}
        </Notice>
      </>
    );
  return (
    <>
      <PageHeading>
        {verb} {preview.change.number}?
      </PageHeading>
      <dl className="change-facts">
        <div>
          <dt>Change</dt>
          <dd>{preview.change.shortDescription}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{preview.change.type}</dd>
        </div>
        <div>
          <dt>Planned</dt>
          <dd>
            <DateTime iso={preview.change.plannedStart} /> to <DateTime iso={preview.change.plannedEnd} />
          </dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>{preview.change.requester}</dd>
        </div>
        <div>
          <dt>You decide as</dt>
          <dd>
            {stepLabels[preview.link.step]} ({preview.link.approver})
          </dd>
        </div>
      </dl>
      {preview.status !== 'pending' ? (
        <Notice tone="info">This approval is already {preview.status}; nothing is left to decide.</Notice>
      ) : (
        <>
          {error && <ErrorNotice message={error} />}
          <div className="field">
            <label htmlFor={`${id}-comment`}>Comment (optional)</label>
            <textarea
              id={`${id}-comment`}
              rows={3}
              maxLength={2000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
          </div>
          <button
            type="button"
            className={preview.link.decision === 'approved' ? 'button' : 'button button-danger'}
            disabled={busy}
            onClick={() => void confirm(preview)}
          >
            {busy ? 'Recording…' : `${verb} ${preview.change.number}`}
          </button>
          <p className="muted">
            This link works once and until <DateTime iso={preview.link.expiresAt} />.
          </p>
        </>
      )}
    </>
  );
}
