import { lazy, type ReactNode, Suspense, useCallback, useMemo, useState } from 'react';
import { createApi } from './api.ts';
import type { Auth, Session } from './auth.ts';
import { Dialog, Loading } from './components.tsx';
import type { PortalConfig } from './config.ts';
import { HomePage } from './pages/home-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SignedOutPage } from './pages/signed-out-page.tsx';
import { isAdmin, isAgent, isApprover, PortalContext } from './portal-context.ts';
import { Link, paths, type Route, useRoute } from './router.tsx';
import { shortcutHelp, useShortcuts } from './shortcuts.ts';

/**
 * Every page but home is loaded when first visited, so an employee's first load carries
 * neither the agent workspace nor the admin screens.
 */
const MyTicketsPage = lazy(() =>
  import('./pages/my-tickets-page.tsx').then((m) => ({ default: m.MyTicketsPage })),
);
const NewTicketPage = lazy(() =>
  import('./pages/new-ticket-page.tsx').then((m) => ({ default: m.NewTicketPage })),
);
const TicketPage = lazy(() => import('./pages/ticket-page.tsx').then((m) => ({ default: m.TicketPage })));
const QueuePage = lazy(() => import('./pages/agent/queue-page.tsx').then((m) => ({ default: m.QueuePage })));
const WorkspacePage = lazy(() =>
  import('./pages/agent/workspace-page.tsx').then((m) => ({ default: m.WorkspacePage })),
);
const GroupsPage = lazy(() =>
  import('./pages/admin/groups-page.tsx').then((m) => ({ default: m.GroupsPage })),
);
const GroupPage = lazy(() => import('./pages/admin/group-page.tsx').then((m) => ({ default: m.GroupPage })));
const RoutingPage = lazy(() =>
  import('./pages/admin/routing-page.tsx').then((m) => ({ default: m.RoutingPage })),
);
const QuarantinePage = lazy(() =>
  import('./pages/admin/quarantine-page.tsx').then((m) => ({ default: m.QuarantinePage })),
);

const ChangesPage = lazy(() =>
  import('./pages/changes/changes-page.tsx').then((m) => ({ default: m.ChangesPage })),
);
const NewChangePage = lazy(() =>
  import('./pages/changes/new-change-page.tsx').then((m) => ({ default: m.NewChangePage })),
);
const ChangePage = lazy(() =>
  import('./pages/changes/change-page.tsx').then((m) => ({ default: m.ChangePage })),
);
const CalendarPage = lazy(() =>
  import('./pages/changes/calendar-page.tsx').then((m) => ({ default: m.CalendarPage })),
);
const ApprovalsPage = lazy(() =>
  import('./pages/changes/approvals-page.tsx').then((m) => ({ default: m.ApprovalsPage })),
);
const ApprovalLinkPage = lazy(() =>
  import('./pages/changes/approval-link-page.tsx').then((m) => ({ default: m.ApprovalLinkPage })),
);
const FreezeWindowsPage = lazy(() =>
  import('./pages/changes/freeze-windows-page.tsx').then((m) => ({ default: m.FreezeWindowsPage })),
);

type SignIn = { readonly session: Session } | { readonly session: null; readonly reason?: string };

export function App({ config, auth, initial }: { config: PortalConfig; auth: Auth; initial: SignIn }) {
  const route = useRoute();
  const [signIn, setSignIn] = useState<SignIn>(initial);
  const [helpOpen, setHelpOpen] = useState(false);
  useShortcuts({ '?': () => setHelpOpen(true) });

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
    <Layout
      config={config}
      session={signIn.session}
      onSignOut={() => void auth.signOut()}
      onHelp={() => setHelpOpen(true)}
    >
      {route.name === 'approval-link' ? (
        // A mailed approval link works without signing in: the signed link is the credential.
        <Suspense fallback={<Loading label="Loading…" />}>
          <ApprovalLinkPage apiBase={config.apiBase} token={route.token} />
        </Suspense>
      ) : portal ? (
        <PortalContext.Provider value={portal}>
          <Suspense fallback={<Loading label="Loading…" />}>
            <Page route={route} session={portal.session} />
          </Suspense>
        </PortalContext.Provider>
      ) : (
        <SignedOutPage reason={'reason' in signIn ? signIn.reason : undefined} onSignIn={signInAndReturn} />
      )}
      <Dialog open={helpOpen} title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
        <p className="muted">Shortcuts do nothing while you type in a field. Press Escape to close.</p>
        {shortcutHelp.map((group) => (
          <section key={group.where}>
            <h3>{group.where}</h3>
            <dl className="shortcut-list">
              {group.keys.map(([key, what]) => (
                <div key={key}>
                  <dt>
                    <kbd>{key}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </Dialog>
    </Layout>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  const agent = isAgent(session);
  const admin = isAdmin(session);
  const approver = isApprover(session);
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'new-ticket':
      return <NewTicketPage key={route.kind} kind={route.kind} />;
    case 'my-tickets':
      return <MyTicketsPage search={route.search} />;
    case 'ticket':
      return <TicketPage key={route.id} id={route.id} />;
    // The API decides who sees what; these checks only spare people pages they cannot use.
    case 'queue':
      return agent ? <QueuePage search={route.search} /> : <NotFoundPage />;
    case 'workspace':
      return agent ? <WorkspacePage key={route.id} id={route.id} /> : <NotFoundPage />;
    case 'admin-groups':
      return admin ? <GroupsPage /> : <NotFoundPage />;
    case 'admin-group':
      return admin ? <GroupPage key={route.id} id={route.id} /> : <NotFoundPage />;
    case 'admin-routing':
      return admin ? <RoutingPage /> : <NotFoundPage />;
    case 'admin-quarantine':
      return admin ? <QuarantinePage /> : <NotFoundPage />;
    case 'changes':
      return agent ? <ChangesPage /> : <NotFoundPage />;
    case 'new-change':
      return agent ? <NewChangePage /> : <NotFoundPage />;
    case 'change':
      return agent || approver ? <ChangePage key={route.id} id={route.id} /> : <NotFoundPage />;
    case 'change-calendar':
      return agent || approver ? <CalendarPage search={route.search} /> : <NotFoundPage />;
    case 'approvals':
      return <ApprovalsPage />;
    case 'approval-link':
      return <NotFoundPage />;
    case 'admin-freezes':
      return admin ? <FreezeWindowsPage /> : <NotFoundPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function Layout(props: {
  config: PortalConfig;
  session: Session | null;
  onSignOut: () => void;
  onHelp: () => void;
  children: ReactNode;
}) {
  const { config, session, onSignOut, onHelp, children } = props;
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
              {isAgent(session) && <Link to={paths.queue()}>Queues</Link>}
              {isAgent(session) && <Link to={paths.changes}>Changes</Link>}
              {(isAgent(session) || isApprover(session)) && <Link to={paths.changeCalendar()}>Calendar</Link>}
              {isApprover(session) && <Link to={paths.approvals}>Approvals</Link>}
              {isAdmin(session) && (
                <>
                  <Link to={paths.adminGroups}>Groups</Link>
                  <Link to={paths.adminRouting}>Routing</Link>
                  <Link to={paths.adminQuarantine}>Quarantine</Link>
                  <Link to={paths.adminFreezes}>Freezes</Link>
                </>
              )}
              <button type="button" className="link-button" onClick={onHelp} aria-keyshortcuts="?">
                Shortcuts
              </button>
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
