import type { RequestStore } from '#ports/catalog-store.ts';
import type { ProblemStore } from '#ports/problem-store.ts';
import type { SlaRecordSource } from '#ports/sla-store.ts';
import type { TicketStore } from '#ports/ticket-store.ts';
import type { RecordPhase, RecordSnapshot } from './sla-record.ts';

/**
 * How the SLA engine reads each record type it follows: a small adapter per type from its
 * store to a {@link RecordSnapshot}. A new record type (catalog requests, tasks) adds one
 * here and a line in the SLA store's history map; nothing else in the engine changes.
 */

const earliest = (...times: (string | undefined)[]) =>
  times.filter((t): t is string => t !== undefined).sort()[0];

/** Incidents and requests: the first public reply by someone other than the caller answers; so does acceptance. */
export function ticketSource(tickets: Pick<TicketStore, 'get'>): SlaRecordSource {
  return {
    async snapshot(recordId) {
      const found = await tickets.get(recordId);
      if (!found) return undefined;
      const { ticket, articles } = found;
      const callers = new Set([ticket.requester.email, ...ticket.watchers].map((e) => e.toLowerCase()));
      const firstReply = articles
        .filter((a) => a.type === 'reply' && a.channel !== 'system' && !a.automatic)
        .filter((a) => !callers.has(a.author.email.toLowerCase()))
        .map((a) => a.createdAt)
        .sort()[0];
      const accepted = ticket.state !== 'new' || ticket.assignee !== undefined;
      const phase: RecordPhase =
        ticket.state === 'cancelled'
          ? 'cancelled'
          : ticket.state === 'resolved' || ticket.state === 'closed'
            ? 'resolved'
            : 'open';
      const firstResponseAt = earliest(firstReply, accepted ? ticket.updatedAt : undefined);
      return {
        recordId: ticket.id,
        recordType: ticket.kind,
        number: ticket.number,
        version: ticket.version,
        state: ticket.state,
        ...(ticket.holdReason ? { holdReason: ticket.holdReason } : {}),
        phase,
        priority: ticket.priority,
        ...(ticket.service ? { service: ticket.service } : {}),
        channel: ticket.channel,
        ...(ticket.assignmentGroup ? { assignmentGroup: ticket.assignmentGroup } : {}),
        ...(ticket.assignee ? { assignee: ticket.assignee.email } : {}),
        requesterEmail: ticket.requester.email,
        createdAt: ticket.createdAt,
        updatedAt: ticket.updatedAt,
        ...(firstResponseAt ? { firstResponseAt } : {}),
        ...(ticket.resolution ? { resolvedAt: ticket.resolution.resolvedAt } : {}),
      };
    },
  };
}

/** Problems: leaving `new` is the response; resolved or closed stops the resolution clock. */
export function problemSource(problems: Pick<ProblemStore, 'get'>): SlaRecordSource {
  return {
    async snapshot(recordId) {
      const found = await problems.get(recordId);
      if (!found) return undefined;
      const { problem } = found;
      const phase: RecordPhase =
        problem.state === 'cancelled'
          ? 'cancelled'
          : problem.state === 'resolved' || problem.state === 'closed'
            ? 'resolved'
            : 'open';
      return {
        recordId: problem.id,
        recordType: 'problem',
        number: problem.number,
        version: problem.version,
        state: problem.state,
        phase,
        priority: problem.priority,
        ...(problem.services[0] ? { service: problem.services[0] } : {}),
        ...(problem.assignmentGroup ? { assignmentGroup: problem.assignmentGroup } : {}),
        ...(problem.assignee ? { assignee: problem.assignee.email } : {}),
        createdAt: problem.createdAt,
        updatedAt: problem.updatedAt,
        ...(problem.state !== 'new' ? { firstResponseAt: problem.updatedAt } : {}),
      };
    },
  };
}

/**
 * The priority a fulfilment task is measured at: tasks carry none of their own, so an OLA gives
 * its targets for this one.
 */
export const TASK_PRIORITY = 3;

/**
 * Catalog fulfilment tasks, for OLAs (the fulfilling group's promise): taking the task or starting
 * it is the response; closing it is the resolution.
 */
export function taskSource(requests: Pick<RequestStore, 'getTask'>): SlaRecordSource {
  return {
    async snapshot(recordId) {
      const task = await requests.getTask(recordId);
      if (!task) return undefined;
      const phase: RecordPhase =
        task.state === 'cancelled' ? 'cancelled' : task.state === 'closed' ? 'resolved' : 'open';
      const accepted = task.state !== 'open' || task.assignee !== undefined;
      return {
        recordId: task.id,
        recordType: 'task',
        number: task.number,
        version: task.version,
        state: task.state,
        phase,
        priority: TASK_PRIORITY,
        assignmentGroup: task.group,
        ...(task.assignee ? { assignee: task.assignee.email } : {}),
        requesterEmail: task.requestedFor,
        createdAt: task.createdAt,
        updatedAt: task.updatedAt,
        ...(accepted ? { firstResponseAt: task.updatedAt } : {}),
        ...(task.closedAt ? { resolvedAt: task.closedAt } : {}),
      };
    },
  };
}
