import { ticketServices } from '#config/composition-root.ts';
import { dataEnv, parseEnv } from '#config/env.ts';
import { closeResolvedTickets } from '#core/ticket/ticket-service.ts';

const deps = ticketServices(parseEnv(dataEnv));

/** Runs on a schedule: closes resolved tickets whose auto-close time has passed. */
export async function handler(): Promise<{ closed: number }> {
  let closed = 0;
  for (let round = 0; round < 20; round++) {
    const batch = await closeResolvedTickets(deps);
    closed += batch;
    if (batch === 0) break;
  }
  console.log(JSON.stringify({ level: 'INFO', message: 'housekeeping', closed }));
  return { closed };
}
