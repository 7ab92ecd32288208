import { createContext, useContext } from 'react';
import type { Session } from '../auth.ts';
import type { PortalConfig } from '../config.ts';
import type { Api } from './api.ts';
import type { QueryCache } from './query-cache.ts';

export interface Portal {
  readonly config: PortalConfig;
  readonly session: Session;
  readonly api: Api;
  /** The session's API reads; invalidate what a change touched (see shared/query-cache.ts). */
  readonly cache: QueryCache;
}

export const PortalContext = createContext<Portal | null>(null);

/** The signed-in portal: pages only render inside it. */
export function usePortal(): Portal {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error('usePortal outside a signed-in portal');
  return portal;
}

/** Agents work queues; admins are agents too. The API enforces both, the portal only offers. */
export const isAgent = (session: Pick<Session, 'groups'>): boolean =>
  session.groups.includes('agents') || session.groups.includes('admins');

export const isAdmin = (session: Pick<Session, 'groups'>): boolean => session.groups.includes('admins');

/** Approvers decide changes (admins may too); anyone named approver of a step sees it in their inbox. */
export const isApprover = (session: Pick<Session, 'groups'>): boolean =>
  session.groups.includes('approvers') || session.groups.includes('admins');
