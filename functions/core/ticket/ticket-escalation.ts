import type { SlaRecordActions } from '#ports/sla-store.ts';
import { systemActor } from '../identity/actor.ts';
import { AGAIN, lostRace, retried } from '../record/retry.ts';
import { isFinal } from './lifecycle.ts';
import { type Level, type PriorityMatrix, priorityOf } from './priority.ts';
import type { Ticket } from './ticket.ts';
import { storeChange, type TicketDeps } from './ticket-service.ts';

/**
 * What an SLA escalation changes on a ticket, as the system: its priority (through impact and
 * urgency, which the priority follows) and its assignment group. Each change is a versioned
 * write in the ticket's own history with the escalation as its reason, and publishes
 * `ticket.updated` like any other; each names the state to reach, so it is idempotent.
 */

const LEVELS: readonly Level[] = [1, 2, 3];

/**
 * The smallest raise of urgency (first) and impact (then) that gives at most `priority` under the
 * matrix, never lowering either; undefined when the ticket is already that high.
 */
export function raisedLevels(
  ticket: Pick<Ticket, 'impact' | 'urgency' | 'priority'>,
  priority: number,
  matrix: PriorityMatrix,
): { impact: Level; urgency: Level } | undefined {
  if (ticket.priority <= priority) return undefined;
  let best: { impact: Level; urgency: Level; cost: number } | undefined;
  for (const impact of LEVELS.filter((l) => l <= ticket.impact))
    for (const urgency of LEVELS.filter((l) => l <= ticket.urgency)) {
      if (priorityOf(impact, urgency, matrix) > priority) continue;
      // Urgency is the time dimension an SLA speaks to: a step of it costs less than one of impact.
      const cost = (ticket.impact - impact) * 3 + (ticket.urgency - urgency) * 2;
      if (!best || cost < best.cost) best = { impact, urgency, cost };
    }
  return best && { impact: best.impact, urgency: best.urgency };
}

async function change(
  deps: TicketDeps,
  id: string,
  reason: string,
  decide: (ticket: Ticket) => Promise<Ticket | undefined> | Ticket | undefined,
): Promise<void> {
  await retried(`Escalation of ${id}`, async () => {
    const found = await deps.tickets.get(id);
    if (!found || isFinal(found.ticket.state)) return undefined;
    const next = await decide(found.ticket);
    if (!next) return undefined;
    const write = storeChange(deps, systemActor, found.ticket, next, deps.clock.now(), { reason });
    return (await lostRace(write)) ? AGAIN : undefined;
  });
}

export function ticketActions(deps: TicketDeps): SlaRecordActions {
  return {
    raisePriority: (id, priority, reason) =>
      change(deps, id, reason, (ticket) => {
        const levels = raisedLevels(ticket, priority, deps.settings.priorityMatrix);
        if (!levels) return undefined;
        return {
          ...ticket,
          ...levels,
          priority: priorityOf(levels.impact, levels.urgency, deps.settings.priorityMatrix),
        };
      }),
    reassign: (id, group, reason) =>
      change(deps, id, reason, async (ticket) => {
        if (ticket.assignmentGroup === group) return undefined;
        // A group deleted since the definition named it: the ticket stays where it is.
        if (!(await deps.groups.existingGroups([group])).has(group)) return undefined;
        const { assignee: _, ...rest } = ticket;
        return { ...rest, assignmentGroup: group };
      }),
  };
}
