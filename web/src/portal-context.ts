import { createContext, useContext } from 'react';
import type { Api } from './api.ts';
import type { Session } from './auth.ts';
import type { PortalConfig } from './config.ts';

export interface Portal {
  readonly config: PortalConfig;
  readonly session: Session;
  readonly api: Api;
}

export const PortalContext = createContext<Portal | null>(null);

/** The signed-in portal: pages only render inside it. */
export function usePortal(): Portal {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error('usePortal outside a signed-in portal');
  return portal;
}
