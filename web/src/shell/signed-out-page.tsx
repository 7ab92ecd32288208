import { useState } from 'react';
import { PageHeading } from '../shared/components.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';

export function SignedOutPage({ reason, onSignIn }: { reason?: string; onSignIn: () => Promise<void> }) {
  usePageTitle('Sign in');
  const [leaving, setLeaving] = useState(false);
  const [failed, setFailed] = useState(false);

  async function signIn() {
    setLeaving(true);
    setFailed(false);
    try {
      await onSignIn();
    } catch {
      setLeaving(false);
      setFailed(true);
    }
  }

  return (
    <div className="signed-out">
      <PageHeading>Welcome to Spoke</PageHeading>
      <p className="lead">Report problems, request what you need and follow your tickets.</p>
      {reason && (
        <div className="notice" role="status">
          <p>{reason}</p>
        </div>
      )}
      {failed && (
        <div className="notice notice-error" role="alert">
          <p>The sign-in service could not be reached. Try again in a moment.</p>
        </div>
      )}
      <button type="button" className="button" onClick={() => void signIn()} disabled={leaving}>
        {leaving ? 'Opening sign-in…' : 'Sign in'}
      </button>
    </div>
  );
}
