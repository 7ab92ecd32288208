import { type ReactNode, useCallback, useMemo, useState } from 'react';
import { createApi } from './api.ts';
import type { Auth, Session } from './auth.ts';
import type { PortalConfig } from './config.ts';
import { HomePage } from './pages/home-page.tsx';
import { MyTicketsPage } from './pages/my-tickets-page.tsx';
import { NewTicketPage } from './pages/new-ticket-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SignedOutPage } from './pages/signed-out-page.tsx';
import { TicketPage } from './pages/ticket-page.tsx';
import { PortalContext } from './portal-context.ts';
import { Link, paths, type Route, useRoute } from './router.tsx';

type SignIn = { readonly session: Session } | { readonly session: null; readonly reason?: string };

export function App({ config, auth, initial }: { config: PortalConfig; auth: Auth; initial: SignIn }) {
  const route = useRoute();
  const [signIn, setSignIn] = useState<SignIn>(initial);

  const onSessionExpired = useCallback(() => {
    void auth.forget();
    setSignIn({ session: null, reason: 'Your session has ended. Sign in again to continue.' });
  }, [auth]);

  const portal = useMemo(
    () =>
      signIn.session && {
        config,
        session: signIn.session,
        api: createApi({ apiBase: config.apiBase, idToken: signIn.session.idToken, onSessionExpired }),
      },
    [config, signIn.session, onSessionExpired],
  );

  const signInAndReturn = () => auth.signIn(`${window.location.pathname}${window.location.search}`);

  return (
    <Layout config={config} session={signIn.session} onSignOut={() => void auth.signOut()}>
      {portal ? (
        <PortalContext.Provider value={portal}>
          <Page route={route} />
        </PortalContext.Provider>
      ) : (
        <SignedOutPage reason={'reason' in signIn ? signIn.reason : undefined} onSignIn={signInAndReturn} />
      )}
    </Layout>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'new-ticket':
      return <NewTicketPage key={route.kind} kind={route.kind} />;
    case 'my-tickets':
      return <MyTicketsPage />;
    case 'ticket':
      return <TicketPage key={route.id} id={route.id} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function Layout(props: {
  config: PortalConfig;
  session: Session | null;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const { config, session, onSignOut, children } = props;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to={paths.home} className="brand">
            Spoke
          </Link>
          {session && (
            <nav aria-label="Main" className="site-nav">
              <Link to={paths.myTickets}>My tickets</Link>
              <span className="who" title={session.email}>
                {session.name}
              </span>
              <button type="button" className="link-button" onClick={onSignOut}>
                Sign out
              </button>
            </nav>
          )}
        </div>
      </header>
      <main id="main" className="site-main">
        {children}
      </main>
      <footer className="site-footer">
        <p>Spoke service desk</p>
        {config.outboxUrl && (
          <p>
            <a href={config.outboxUrl} target="_blank" rel="noreferrer">
              Outbox (local)
            </a>
          </p>
        )}
      </footer>
    </>
  );
}
