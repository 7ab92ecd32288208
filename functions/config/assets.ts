import type { DeviceReportDeps } from '#core/cmdb/asset-service.ts';
import type { CmdbDeps } from '#core/cmdb/cmdb-service.ts';
import { type OpenTicketLimit, takeOpenAllowance } from '#core/ticket/open-limit.ts';
import { openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';

/**
 * Assets on the CMDB: a device problem opens an incident through the ticket engine, as the
 * person, under the same per-person open limit as the portal's new-ticket form.
 */
export function assetServices(
  cmdb: CmdbDeps,
  tickets: TicketDeps,
  openLimit: OpenTicketLimit,
): DeviceReportDeps {
  return {
    cmdb,
    async openIncident(actor, input) {
      await takeOpenAllowance(openLimit, actor);
      const { ticket } = await openTicket(
        tickets,
        actor,
        { kind: 'incident', ...input },
        { channel: 'portal' },
      );
      return { id: ticket.id, number: ticket.number };
    },
  };
}
