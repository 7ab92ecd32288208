import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';
import type { TicketKind } from './types.ts';

export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'new-ticket'; readonly kind: TicketKind }
  | { readonly name: 'my-tickets'; readonly search: string }
  | { readonly name: 'search'; readonly search: string }
  | { readonly name: 'ticket'; readonly id: string }
  | { readonly name: 'queue'; readonly search: string }
  | { readonly name: 'workspace'; readonly id: string }
  | { readonly name: 'sla-due' }
  | { readonly name: 'admin-groups' }
  | { readonly name: 'admin-group'; readonly id: string }
  | { readonly name: 'admin-routing' }
  | { readonly name: 'admin-sla' }
  | { readonly name: 'admin-quarantine' }
  | { readonly name: 'changes' }
  | { readonly name: 'new-change' }
  | { readonly name: 'change'; readonly id: string }
  | { readonly name: 'change-calendar'; readonly search: string }
  | { readonly name: 'approvals' }
  /** An approve / reject link from mail: works without signing in. */
  | { readonly name: 'approval-link'; readonly token: string }
  | { readonly name: 'admin-freezes' }
  | { readonly name: 'cis' }
  | { readonly name: 'my-devices' }
  | { readonly name: 'status' }
  | { readonly name: 'ci'; readonly id: string }
  | { readonly name: 'asset'; readonly id: string }
  | { readonly name: 'asset-import'; readonly id?: string }
  | { readonly name: 'reports'; readonly search: string }
  | { readonly name: 'article'; readonly id: string; readonly search: string }
  | { readonly name: 'knowledge'; readonly search: string }
  | { readonly name: 'article-editor'; readonly id?: string }
  | { readonly name: 'problems'; readonly search: string }
  | { readonly name: 'problem'; readonly id: string }
  | { readonly name: 'known-errors' }
  | { readonly name: 'catalog' }
  | { readonly name: 'catalog-item'; readonly id: string }
  | { readonly name: 'my-requests' }
  | { readonly name: 'request'; readonly id: string }
  | { readonly name: 'tasks' }
  | { readonly name: 'catalog-cart' }
  | { readonly name: 'request-approvals' }
  | { readonly name: 'admin-catalog' }
  /** The item editor; `new` for a new item. */
  | { readonly name: 'admin-catalog-item'; readonly id: string }
  /** A catalog request's approve / reject link from mail: works without signing in. */
  | { readonly name: 'request-link'; readonly token: string }
  | { readonly name: 'releases'; readonly search: string }
  | { readonly name: 'release'; readonly id: string }
  | { readonly name: 'release-calendar'; readonly search: string }
  /** A release's go / no-go link from mail: works without signing in. */
  | { readonly name: 'release-link'; readonly token: string }
  /** A satisfaction survey link from a resolution mail: works without signing in. */
  | { readonly name: 'survey-link'; readonly token: string; readonly search: string }
  | { readonly name: 'not-found' };

export const paths = {
  home: '/',
  newTicket: (kind: TicketKind) => `/tickets/new?kind=${kind}`,
  myTickets: '/tickets',
  /** Words search over what the person can see. */
  search: (text: string) => `/search?${new URLSearchParams({ q: text })}`,
  /** The requester's view of a ticket: the public conversation only. */
  ticket: (id: string) => `/tickets/${encodeURIComponent(id)}`,
  /** Agents' queues; the query string holds the view, group, state, order and priority. */
  queue: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/work?${new URLSearchParams(params)}` : '/work',
  /** What breaches next across the agent's groups. */
  due: '/work/due',
  /** The agent's ticket workspace. */
  workspace: (id: string) => `/work/tickets/${encodeURIComponent(id)}`,
  adminGroups: '/admin/groups',
  adminGroup: (id: string) => `/admin/groups/${encodeURIComponent(id)}`,
  adminRouting: '/admin/routing',
  adminSla: '/admin/service-levels',
  adminQuarantine: '/admin/quarantine',
  changes: '/changes',
  newChange: '/changes/new',
  change: (id: string) => `/changes/${encodeURIComponent(id)}`,
  changeCalendar: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/changes/calendar?${new URLSearchParams(params)}` : '/changes/calendar',
  approvals: '/approvals',
  adminFreezes: '/admin/freeze-windows',
  cis: '/cmdb',
  myDevices: '/devices',
  status: '/status',
  ci: (id: string) => `/cmdb/${encodeURIComponent(id)}`,
  asset: (id: string) => `/assets/${encodeURIComponent(id)}`,
  assetImport: (id?: string) => (id ? `/assets/import/${encodeURIComponent(id)}` : '/assets/import'),
  /** The reporting dashboard; the query string holds the range, granularity and filters. */
  reports: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/reports?${new URLSearchParams(params)}` : '/reports',
  /** A knowledge article; `from: 'suggestion'` counts an open from the ticket form's suggestions. */
  article: (id: string, from?: 'suggestion') =>
    `/knowledge/${encodeURIComponent(id)}${from ? `?${new URLSearchParams({ from })}` : ''}`,
  /** The knowledge home; `list` (agents) and `category` choose the articles shown. */
  knowledge: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/knowledge?${new URLSearchParams(params)}` : '/knowledge',
  newArticle: '/knowledge/new',
  editArticle: (id: string) => `/knowledge/${encodeURIComponent(id)}/edit`,
  /** Problems by state (`state`) or by group (`group`). */
  problems: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/problems?${new URLSearchParams(params)}` : '/problems',
  problem: (id: string) => `/problems/${encodeURIComponent(id)}`,
  knownErrors: '/known-errors',
  catalog: '/catalog',
  catalogItem: (id: string) => `/catalog/items/${encodeURIComponent(id)}`,
  myRequests: '/requests',
  request: (id: string) => `/requests/${encodeURIComponent(id)}`,
  tasks: '/tasks',
  releases: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/releases?${new URLSearchParams(params)}` : '/releases',
  release: (id: string) => `/releases/${encodeURIComponent(id)}`,
  releaseCalendar: (params: Record<string, string> = {}) =>
    Object.keys(params).length ? `/releases/calendar?${new URLSearchParams(params)}` : '/releases/calendar',
  catalogCart: '/catalog/order',
  requestApprovals: '/request-approvals',
  adminCatalog: '/admin/catalog',
  adminCatalogItem: (id: string) => `/admin/catalog/items/${encodeURIComponent(id)}`,
};

/** What the page that is navigated to may want to know, kept in history.state. */
export interface NavigationNote {
  readonly createdTicket?: boolean;
  /** Files that could not be attached while the ticket was created. */
  readonly failedUploads?: readonly string[];
  /** The number of a duplicate just merged into the ticket shown. */
  readonly mergedFrom?: string;
}

const NAVIGATED = 'spoke:navigated';

export function parseRoute({ pathname, search }: { pathname: string; search: string }): Route {
  if (pathname === '/') return { name: 'home' };
  if (pathname === '/tickets' || pathname === '/tickets/')
    // An old words link (`/tickets?q=…` only filtered the caller's own tickets) is the search now.
    return new URLSearchParams(search).get('q') ? { name: 'search', search } : { name: 'my-tickets', search };
  if (pathname === '/search') return { name: 'search', search };
  if (pathname === '/knowledge' || pathname === '/knowledge/') return { name: 'knowledge', search };
  if (pathname === '/knowledge/new') return { name: 'article-editor' };
  const edit = /^\/knowledge\/([^/]+)\/edit$/.exec(pathname);
  if (edit?.[1]) return { name: 'article-editor', id: decodeURIComponent(edit[1]) };
  const article = /^\/knowledge\/([^/]+)$/.exec(pathname);
  if (article?.[1]) return { name: 'article', id: decodeURIComponent(article[1]), search };
  if (pathname === '/work' || pathname === '/work/') return { name: 'queue', search };
  if (pathname === '/work/due') return { name: 'sla-due' };
  const workspace = /^\/work\/tickets\/([^/]+)$/.exec(pathname);
  if (workspace?.[1]) return { name: 'workspace', id: decodeURIComponent(workspace[1]) };
  if (pathname === '/admin/groups') return { name: 'admin-groups' };
  const group = /^\/admin\/groups\/([^/]+)$/.exec(pathname);
  if (group?.[1]) return { name: 'admin-group', id: decodeURIComponent(group[1]) };
  if (pathname === '/admin/routing') return { name: 'admin-routing' };
  if (pathname === '/admin/service-levels') return { name: 'admin-sla' };
  if (pathname === '/admin/quarantine') return { name: 'admin-quarantine' };
  if (pathname === '/changes' || pathname === '/changes/') return { name: 'changes' };
  if (pathname === '/changes/new') return { name: 'new-change' };
  if (pathname === '/changes/calendar') return { name: 'change-calendar', search };
  const change = /^\/changes\/([^/]+)$/.exec(pathname);
  if (change?.[1]) return { name: 'change', id: decodeURIComponent(change[1]) };
  if (pathname === '/approvals') return { name: 'approvals' };
  if (pathname === '/reports') return { name: 'reports', search };
  const survey = /^\/satisfaction\/([^/]+)$/.exec(pathname);
  if (survey?.[1]) return { name: 'survey-link', token: decodeURIComponent(survey[1]), search };
  const link = /^\/approvals\/link\/([^/]+)$/.exec(pathname);
  if (link?.[1]) return { name: 'approval-link', token: decodeURIComponent(link[1]) };
  if (pathname === '/admin/freeze-windows') return { name: 'admin-freezes' };
  if (pathname === '/cmdb' || pathname === '/cmdb/') return { name: 'cis' };
  if (pathname === '/devices') return { name: 'my-devices' };
  if (pathname === '/assets/import') return { name: 'asset-import' };
  const assetImport = /^\/assets\/import\/([^/]+)$/.exec(pathname);
  if (assetImport?.[1]) return { name: 'asset-import', id: decodeURIComponent(assetImport[1]) };
  const asset = /^\/assets\/([^/]+)$/.exec(pathname);
  if (asset?.[1]) return { name: 'asset', id: decodeURIComponent(asset[1]) };
  if (pathname === '/status') return { name: 'status' };
  const ci = /^\/cmdb\/([^/]+)$/.exec(pathname);
  if (ci?.[1]) return { name: 'ci', id: decodeURIComponent(ci[1]) };
  if (pathname === '/problems' || pathname === '/problems/') return { name: 'problems', search };
  if (pathname === '/known-errors') return { name: 'known-errors' };
  const problem = /^\/problems\/([^/]+)$/.exec(pathname);
  if (problem?.[1]) return { name: 'problem', id: decodeURIComponent(problem[1]) };
  const releaseRoute = releaseRouteOf(pathname, search);
  if (releaseRoute) return releaseRoute;
  const catalogRoute = catalogRouteOf(pathname);
  if (catalogRoute) return catalogRoute;
  if (pathname === '/tickets/new') {
    return {
      name: 'new-ticket',
      kind: new URLSearchParams(search).get('kind') === 'request' ? 'request' : 'incident',
    };
  }
  const ticket = /^\/tickets\/([^/]+)$/.exec(pathname);
  if (ticket?.[1]) return { name: 'ticket', id: decodeURIComponent(ticket[1]) };
  return { name: 'not-found' };
}

/** Release management's pages. */
function releaseRouteOf(pathname: string, search: string): Route | undefined {
  if (pathname === '/releases' || pathname === '/releases/') return { name: 'releases', search };
  if (pathname === '/releases/calendar') return { name: 'release-calendar', search };
  const [, approve, value] = /^\/releases\/(approve\/)?([^/]+)$/.exec(pathname) ?? [];
  if (!value) return undefined;
  return approve
    ? { name: 'release-link', token: decodeURIComponent(value) }
    : { name: 'release', id: decodeURIComponent(value) };
}

/** The service catalog's pages. */
function catalogRouteOf(pathname: string): Route | undefined {
  if (pathname === '/catalog') return { name: 'catalog' };
  if (pathname === '/requests') return { name: 'my-requests' };
  if (pathname === '/tasks') return { name: 'tasks' };
  if (pathname === '/catalog/order') return { name: 'catalog-cart' };
  if (pathname === '/request-approvals') return { name: 'request-approvals' };
  if (pathname === '/admin/catalog') return { name: 'admin-catalog' };
  const edited = /^\/admin\/catalog\/items\/([^/]+)$/.exec(pathname)?.[1];
  if (edited) return { name: 'admin-catalog-item', id: decodeURIComponent(edited) };
  const [, kind, value] = /^\/(catalog\/items|requests\/approve|requests)\/([^/]+)$/.exec(pathname) ?? [];
  if (!kind || !value) return undefined;
  const decoded = decodeURIComponent(value);
  if (kind === 'catalog/items') return { name: 'catalog-item', id: decoded };
  if (kind === 'requests/approve') return { name: 'request-link', token: decoded };
  return { name: 'request', id: decoded };
}

export function navigate(to: string, options: { replace?: boolean; note?: NavigationNote } = {}): void {
  const state = options.note ?? null;
  if (options.replace) window.history.replaceState(state, '', to);
  else window.history.pushState(state, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

export function navigationNote(): NavigationNote {
  return (window.history.state as NavigationNote | null) ?? {};
}

/** The current route, following links, back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return route;
}

/** An ordinary link that navigates in place; modified clicks still open new tabs. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={follow} {...rest} />;
}
