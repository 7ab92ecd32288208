import { type ReactNode, useCallback, useMemo, useState } from 'react';
import type { Auth, Session } from './auth.ts';
import type { PortalConfig } from './config.ts';
import { createApi } from './shared/api.ts';
import { Dialog } from './shared/components.tsx';
import { LazyPage, pageLoader } from './shared/lazy-page.tsx';
import { isAdmin, isAgent, isApprover, PortalContext } from './shared/portal-context.ts';
import { QueryCache } from './shared/query-cache.ts';
import { Link, paths, type Route, useRoute } from './shared/router.tsx';
import { setShortcutsEnabled, shortcutHelp, shortcutsEnabled, useShortcuts } from './shared/shortcuts.ts';
import { HomePage } from './shell/home-page.tsx';
import { NotFoundPage } from './shell/not-found-page.tsx';
import { SignedOutPage } from './shell/signed-out-page.tsx';

/**
 * Every page but home is loaded when first visited, so an employee's first load carries
 * neither the agent workspace nor the admin screens.
 */
const MyTicketsPage = pageLoader(() => import('./tickets/my-tickets-page.tsx').then((m) => m.MyTicketsPage));
const NewTicketPage = pageLoader(() => import('./tickets/new-ticket-page.tsx').then((m) => m.NewTicketPage));
const SearchPage = pageLoader(() => import('./tickets/search-page.tsx').then((m) => m.SearchPage));
const ArticlePage = pageLoader(() => import('./knowledge/article-page.tsx').then((m) => m.ArticlePage));
const KnowledgeHomePage = pageLoader(() =>
  import('./knowledge/knowledge-home-page.tsx').then((m) => m.KnowledgeHomePage),
);
const ArticleEditorPage = pageLoader(() =>
  import('./knowledge/article-editor-page.tsx').then((m) => m.ArticleEditorPage),
);
const TicketPage = pageLoader(() => import('./tickets/ticket-page.tsx').then((m) => m.TicketPage));
const QueuePage = pageLoader(() => import('./tickets/queue-page.tsx').then((m) => m.QueuePage));
const WorkspacePage = pageLoader(() =>
  import('./tickets/workspace/workspace-page.tsx').then((m) => m.WorkspacePage),
);
const GroupsPage = pageLoader(() => import('./admin/groups-page.tsx').then((m) => m.GroupsPage));
const GroupPage = pageLoader(() => import('./admin/group-page.tsx').then((m) => m.GroupPage));
const RoutingPage = pageLoader(() => import('./admin/routing-page.tsx').then((m) => m.RoutingPage));
const SlaDefinitionsPage = pageLoader(() =>
  import('./sla/definitions-page.tsx').then((m) => m.SlaDefinitionsPage),
);
const DuePage = pageLoader(() => import('./sla/due-page.tsx').then((m) => m.DuePage));
const QuarantinePage = pageLoader(() => import('./admin/quarantine-page.tsx').then((m) => m.QuarantinePage));

const ChangesPage = pageLoader(() => import('./changes/changes-page.tsx').then((m) => m.ChangesPage));
const NewChangePage = pageLoader(() => import('./changes/new-change-page.tsx').then((m) => m.NewChangePage));
const ChangePage = pageLoader(() => import('./changes/change-page.tsx').then((m) => m.ChangePage));
const CalendarPage = pageLoader(() => import('./changes/calendar-page.tsx').then((m) => m.CalendarPage));
const ApprovalsPage = pageLoader(() => import('./changes/approvals-page.tsx').then((m) => m.ApprovalsPage));
const ApprovalLinkPage = pageLoader(() =>
  import('./changes/approval-link-page.tsx').then((m) => m.ApprovalLinkPage),
);
const FreezeWindowsPage = pageLoader(() =>
  import('./changes/freeze-windows-page.tsx').then((m) => m.FreezeWindowsPage),
);
const CisPage = pageLoader(() => import('./cmdb/cis-page.tsx').then((m) => m.CisPage));
const MyDevicesPage = pageLoader(() => import('./cmdb/my-devices-page.tsx').then((m) => m.MyDevicesPage));
const StatusPage = pageLoader(() => import('./cmdb/status-page.tsx').then((m) => m.StatusPage));
const CiPage = pageLoader(() => import('./cmdb/ci-page.tsx').then((m) => m.CiPage));
const AssetPage = pageLoader(() => import('./cmdb/asset-page.tsx').then((m) => m.AssetPage));
const AssetImportPage = pageLoader(() =>
  import('./cmdb/asset-import-page.tsx').then((m) => m.AssetImportPage),
);
const DashboardPage = pageLoader(() => import('./reports/dashboard-page.tsx').then((m) => m.DashboardPage));

const ProblemsPage = pageLoader(() => import('./problems/problems-page.tsx').then((m) => m.ProblemsPage));
const ProblemPage = pageLoader(() => import('./problems/problem-page.tsx').then((m) => m.ProblemPage));
const KnownErrorsPage = pageLoader(() =>
  import('./problems/known-errors-page.tsx').then((m) => m.KnownErrorsPage),
);
const CatalogPage = pageLoader(() => import('./catalog/catalog-page.tsx').then((m) => m.CatalogPage));
const OrderPage = pageLoader(() => import('./catalog/order-page.tsx').then((m) => m.OrderPage));
const MyRequestsPage = pageLoader(() => import('./catalog/requests-page.tsx').then((m) => m.MyRequestsPage));
const RequestPage = pageLoader(() => import('./catalog/requests-page.tsx').then((m) => m.RequestPage));
const CartPage = pageLoader(() => import('./catalog/cart-page.tsx').then((m) => m.CartPage));
const RequestApprovalsPage = pageLoader(() =>
  import('./catalog/request-approvals-page.tsx').then((m) => m.RequestApprovalsPage),
);
const AdminCatalogPage = pageLoader(() =>
  import('./catalog/admin-catalog-page.tsx').then((m) => m.AdminCatalogPage),
);
const ItemEditorPage = pageLoader(() =>
  import('./catalog/item-editor-page.tsx').then((m) => m.ItemEditorPage),
);
const TasksPage = pageLoader(() => import('./catalog/tasks-page.tsx').then((m) => m.TasksPage));
const RequestLinkPage = pageLoader(() =>
  import('./catalog/request-link-page.tsx').then((m) => m.RequestLinkPage),
);
const SurveyLinkPage = pageLoader(() =>
  import('./satisfaction/survey-link-page.tsx').then((m) => m.SurveyLinkPage),
);

const ReleasesPage = pageLoader(() => import('./releases/releases-page.tsx').then((m) => m.ReleasesPage));
const ReleasePage = pageLoader(() => import('./releases/release-page.tsx').then((m) => m.ReleasePage));
const ReleaseCalendarPage = pageLoader(() =>
  import('./releases/release-calendar-page.tsx').then((m) => m.ReleaseCalendarPage),
);
const ReleaseLinkPage = pageLoader(() =>
  import('./releases/release-link-page.tsx').then((m) => m.ReleaseLinkPage),
);

const pageOf: Partial<Record<Route['name'], { preload(): Promise<unknown> }>> = {
  'my-tickets': MyTicketsPage,
  search: SearchPage,
  article: ArticlePage,
  knowledge: KnowledgeHomePage,
  'article-editor': ArticleEditorPage,
  'new-ticket': NewTicketPage,
  ticket: TicketPage,
  queue: QueuePage,
  workspace: WorkspacePage,
  'admin-groups': GroupsPage,
  'admin-group': GroupPage,
  'admin-routing': RoutingPage,
  'admin-sla': SlaDefinitionsPage,
  'sla-due': DuePage,
  'admin-quarantine': QuarantinePage,
  changes: ChangesPage,
  'new-change': NewChangePage,
  change: ChangePage,
  'change-calendar': CalendarPage,
  approvals: ApprovalsPage,
  'approval-link': ApprovalLinkPage,
  'admin-freezes': FreezeWindowsPage,
  cis: CisPage,
  'my-devices': MyDevicesPage,
  status: StatusPage,
  ci: CiPage,
  asset: AssetPage,
  'asset-import': AssetImportPage,
  reports: DashboardPage,
  problems: ProblemsPage,
  problem: ProblemPage,
  'known-errors': KnownErrorsPage,
  catalog: CatalogPage,
  'catalog-item': OrderPage,
  'my-requests': MyRequestsPage,
  request: RequestPage,
  tasks: TasksPage,
  'catalog-cart': CartPage,
  'request-approvals': RequestApprovalsPage,
  'admin-catalog': AdminCatalogPage,
  'admin-catalog-item': ItemEditorPage,
  'request-link': RequestLinkPage,
  releases: ReleasesPage,
  release: ReleasePage,
  'release-calendar': ReleaseCalendarPage,
  'release-link': ReleaseLinkPage,
  'survey-link': SurveyLinkPage,
};

/** Starts loading the page of this address; the boot does it while it reads its configuration. */
export function preloadPage(route: Route): Promise<unknown> {
  return pageOf[route.name]?.preload().catch(() => undefined) ?? Promise.resolve();
}

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
        cache: new QueryCache(),
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
        <LazyPage
          key={`approval-link:${route.token}`}
          loader={ApprovalLinkPage}
          props={{ apiBase: config.apiBase, token: route.token }}
        />
      ) : route.name === 'request-link' ? (
        <LazyPage
          key={`request-link:${route.token}`}
          loader={RequestLinkPage}
          props={{ apiBase: config.apiBase, token: route.token }}
        />
      ) : route.name === 'release-link' ? (
        <LazyPage
          key={`release-link:${route.token}`}
          loader={ReleaseLinkPage}
          props={{ apiBase: config.apiBase, token: route.token }}
        />
      ) : route.name === 'survey-link' ? (
        <LazyPage
          key={`survey-link:${route.token}`}
          loader={SurveyLinkPage}
          props={{ apiBase: config.apiBase, token: route.token, search: route.search }}
        />
      ) : portal ? (
        <PortalContext.Provider value={portal}>
          <Page route={route} session={portal.session} />
        </PortalContext.Provider>
      ) : (
        <SignedOutPage reason={'reason' in signIn ? signIn.reason : undefined} onSignIn={signInAndReturn} />
      )}
      <Dialog open={helpOpen} title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
        <p className="muted">Shortcuts do nothing while you type in a field. Press Escape to close.</p>
        <ShortcutSetting />
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

/** The switch for single-key shortcuts (WCAG 2.1.4), kept in this browser. */
function ShortcutSetting() {
  const [on, setOn] = useState(shortcutsEnabled);
  return (
    <label className="checkbox-field">
      <input
        type="checkbox"
        checked={on}
        onChange={(event) => {
          setShortcutsEnabled(event.currentTarget.checked);
          setOn(event.currentTarget.checked);
        }}
      />
      Use single-key shortcuts (turn off if you use speech input or press keys by accident)
    </label>
  );
}

/** Each page has its own key, so moving between pages never carries one page's state into another. */
function Page({ route, session }: { route: Route; session: Session }) {
  const agent = isAgent(session);
  const admin = isAdmin(session);
  const approver = isApprover(session);
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'new-ticket':
      return (
        <LazyPage key={`new-ticket:${route.kind}`} loader={NewTicketPage} props={{ kind: route.kind }} />
      );
    case 'my-tickets':
      return <LazyPage key="my-tickets" loader={MyTicketsPage} props={{ search: route.search }} />;
    case 'search':
      return <LazyPage key={`search:${route.search}`} loader={SearchPage} props={{ search: route.search }} />;
    case 'ticket':
      return <LazyPage key={`ticket:${route.id}`} loader={TicketPage} props={{ id: route.id }} />;
    case 'article':
      return (
        <LazyPage
          key={`article:${route.id}`}
          loader={ArticlePage}
          props={{ id: route.id, search: route.search }}
        />
      );
    case 'knowledge':
      return <LazyPage key="knowledge" loader={KnowledgeHomePage} props={{ search: route.search }} />;
    case 'article-editor':
      return agent ? (
        <LazyPage
          key={`article-editor:${route.id ?? 'new'}`}
          loader={ArticleEditorPage}
          props={route.id ? { id: route.id } : {}}
        />
      ) : (
        <NotFoundPage />
      );
    // The API decides who sees what; these checks only spare people pages they cannot use.
    case 'queue':
      return agent ? (
        <LazyPage key="queue" loader={QueuePage} props={{ search: route.search }} />
      ) : (
        <NotFoundPage />
      );
    case 'workspace':
      return agent ? (
        <LazyPage key={`workspace:${route.id}`} loader={WorkspacePage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'sla-due':
      return agent ? <LazyPage key="sla-due" loader={DuePage} props={{}} /> : <NotFoundPage />;
    case 'admin-groups':
      return admin ? <LazyPage key="groups" loader={GroupsPage} props={{}} /> : <NotFoundPage />;
    case 'admin-group':
      return admin ? (
        <LazyPage key={`group:${route.id}`} loader={GroupPage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'admin-sla':
      return admin ? <LazyPage key="sla" loader={SlaDefinitionsPage} props={{}} /> : <NotFoundPage />;
    case 'admin-routing':
      return admin ? <LazyPage key="routing" loader={RoutingPage} props={{}} /> : <NotFoundPage />;
    case 'admin-quarantine':
      return admin ? <LazyPage key="quarantine" loader={QuarantinePage} props={{}} /> : <NotFoundPage />;
    case 'changes':
      return agent ? <LazyPage key="changes" loader={ChangesPage} props={{}} /> : <NotFoundPage />;
    case 'new-change':
      return agent ? <LazyPage key="new-change" loader={NewChangePage} props={{}} /> : <NotFoundPage />;
    case 'change':
      return agent || approver ? (
        <LazyPage key={`change:${route.id}`} loader={ChangePage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'change-calendar':
      return agent || approver ? (
        <LazyPage key="change-calendar" loader={CalendarPage} props={{ search: route.search }} />
      ) : (
        <NotFoundPage />
      );
    case 'approvals':
      return <LazyPage key="approvals" loader={ApprovalsPage} props={{}} />;
    case 'approval-link':
      return <NotFoundPage />;
    case 'admin-freezes':
      return admin ? <LazyPage key="freezes" loader={FreezeWindowsPage} props={{}} /> : <NotFoundPage />;
    case 'cis':
      return agent || approver ? <LazyPage key="cis" loader={CisPage} props={{}} /> : <NotFoundPage />;
    case 'my-devices':
      return <LazyPage key="my-devices" loader={MyDevicesPage} props={{}} />;
    case 'status':
      return <LazyPage key="status" loader={StatusPage} props={{}} />;
    case 'ci':
      return agent || approver ? (
        <LazyPage key={`ci:${route.id}`} loader={CiPage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'asset':
      // Agents move it; the person it is assigned to sees it and reports a problem (the API decides).
      return <LazyPage key={`asset:${route.id}`} loader={AssetPage} props={{ id: route.id }} />;
    case 'asset-import':
      return agent ? (
        <LazyPage key={`asset-import:${route.id ?? ''}`} loader={AssetImportPage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'reports':
      // Group managers who are not agents reach it by link; the API decides what they see.
      return <LazyPage key="reports" loader={DashboardPage} props={{ search: route.search }} />;
    case 'releases':
    case 'release':
    case 'release-calendar':
      return agent || approver ? releasePage(route) : <NotFoundPage />;
    case 'release-link':
      return <NotFoundPage />;
    case 'problems':
      return agent ? (
        <LazyPage key="problems" loader={ProblemsPage} props={{ search: route.search }} />
      ) : (
        <NotFoundPage />
      );
    case 'problem':
      return agent ? (
        <LazyPage key={`problem:${route.id}`} loader={ProblemPage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'known-errors':
      return agent ? <LazyPage key="known-errors" loader={KnownErrorsPage} props={{}} /> : <NotFoundPage />;
    case 'catalog':
      return <LazyPage key="catalog" loader={CatalogPage} props={{}} />;
    case 'catalog-item':
      return <LazyPage key={`catalog-item:${route.id}`} loader={OrderPage} props={{ id: route.id }} />;
    case 'my-requests':
      return <LazyPage key="my-requests" loader={MyRequestsPage} props={{}} />;
    case 'request':
      return <LazyPage key={`request:${route.id}`} loader={RequestPage} props={{ id: route.id }} />;
    case 'tasks':
      return agent ? <LazyPage key="tasks" loader={TasksPage} props={{}} /> : <NotFoundPage />;
    case 'catalog-cart':
      return <LazyPage key="catalog-cart" loader={CartPage} props={{}} />;
    case 'request-approvals':
      return <LazyPage key="request-approvals" loader={RequestApprovalsPage} props={{}} />;
    case 'admin-catalog':
      return admin ? <LazyPage key="admin-catalog" loader={AdminCatalogPage} props={{}} /> : <NotFoundPage />;
    case 'admin-catalog-item':
      return admin ? (
        <LazyPage key={`admin-catalog-item:${route.id}`} loader={ItemEditorPage} props={{ id: route.id }} />
      ) : (
        <NotFoundPage />
      );
    case 'request-link':
    case 'survey-link':
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
              <Link to={paths.myDevices}>My devices</Link>
              <Link to={paths.status}>Service status</Link>
              <Link to={paths.catalog}>Order</Link>
              <Link to={paths.myRequests}>My requests</Link>
              <Link to={paths.knowledge()}>Knowledge</Link>
              {isAgent(session) && <Link to={paths.tasks}>Tasks</Link>}
              {isAgent(session) && <Link to={paths.queue()}>Queues</Link>}
              {isAgent(session) && <Link to={paths.due}>Due next</Link>}
              {isAgent(session) && <Link to={paths.problems()}>Problems</Link>}
              {isAgent(session) && <Link to={paths.changes}>Changes</Link>}
              {(isAgent(session) || isApprover(session)) && <Link to={paths.releases()}>Releases</Link>}
              {(isAgent(session) || isApprover(session)) && <Link to={paths.changeCalendar()}>Calendar</Link>}
              {isApprover(session) && <Link to={paths.approvals}>Approvals</Link>}
              {(isAgent(session) || isApprover(session)) && <Link to={paths.cis}>CMDB</Link>}
              {isAgent(session) && <Link to={paths.reports()}>Reports</Link>}
              {isAdmin(session) && (
                <>
                  <Link to={paths.adminGroups}>Groups</Link>
                  <Link to={paths.adminRouting}>Routing</Link>
                  <Link to={paths.adminSla}>Service levels</Link>
                  <Link to={paths.adminQuarantine}>Quarantine</Link>
                  <Link to={paths.adminFreezes}>Freezes</Link>
                  <Link to={paths.adminCatalog}>Catalog</Link>
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

/** The release pages (agents and approvers; the API decides what each may do). */
function releasePage(route: Extract<Route, { name: 'releases' | 'release' | 'release-calendar' }>) {
  if (route.name === 'release')
    return <LazyPage key={`release:${route.id}`} loader={ReleasePage} props={{ id: route.id }} />;
  if (route.name === 'release-calendar')
    return <LazyPage key="release-calendar" loader={ReleaseCalendarPage} props={{ search: route.search }} />;
  return <LazyPage key="releases" loader={ReleasesPage} props={{ search: route.search }} />;
}
