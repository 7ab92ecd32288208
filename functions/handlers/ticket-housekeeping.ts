import { telemetry, ticketServices } from '#config/composition-root.ts';
import { dataEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import { closeResolvedTickets } from '#core/ticket/ticket-service.ts';

const deps = ticketServices(parseEnv(dataEnv));
const log = telemetry();

/** Runs on a schedule: closes resolved tickets whose auto-close time has passed. */
export const handler = instrumented(log, async (): Promise<{ closed: number }> => {
  let closed = 0;
  for (let round = 0; round < 20; round++) {
    const batch = await closeResolvedTickets(deps);
    closed += batch;
    if (batch === 0) break;
  }
  if (closed > 0) log.count('TicketsAutoClosed', closed);
  log.info('housekeeping', { closed });
  return { closed };
});
