import type { TicketDeps } from '../ticket/ticket-service.ts';
import type { ResponseDeps } from './response-service.ts';
import type { SavedViewDeps } from './saved-view.ts';

/**
 * What the desk's tools need: the ticket engine, the response and view stores. The portal's
 * address (for `{link}`) comes with each request, so it is not here.
 */
export interface DeskDeps {
  readonly ticket: TicketDeps;
  readonly responses: Omit<ResponseDeps, 'portalUrl' | 'ticket'>;
  readonly views: SavedViewDeps;
}
