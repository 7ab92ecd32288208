import type { DomainEvent } from '#ports/domain-events.ts';

/** Domain events as the engines publish them (docs/events.md), for the reporting tests. */
let sequence = 0;
const id = () => `EV${String(++sequence).padStart(8, '0')}`;

export const ticketCreated = (
  ticketId: string,
  at: string,
  detail: { group?: string; priority?: number; channel?: string; service?: string; kind?: string } = {},
): DomainEvent => ({
  type: 'ticket.created',
  id: id(),
  at,
  detail: {
    ticketId,
    number: detail.kind === 'request' ? 'REQ0001001' : 'INC0001001',
    channel: detail.channel ?? 'portal',
    priority: detail.priority ?? 3,
    ...(detail.group ? { assignmentGroup: detail.group } : {}),
    ...(detail.service ? { service: detail.service } : {}),
    ...(detail.kind ? { kind: detail.kind } : {}),
  },
});

export const recordUpdated = (
  type: 'ticket.updated' | 'change.updated' | 'problem.updated',
  recordId: string,
  at: string,
  changes: { field: string; oldValue?: unknown; newValue?: unknown }[],
): DomainEvent => ({
  type,
  id: id(),
  at,
  detail: {
    [type === 'ticket.updated' ? 'ticketId' : type === 'change.updated' ? 'changeId' : 'problemId']: recordId,
    number: 'INC0001001',
    changes,
  },
});

export const move = (
  recordId: string,
  at: string,
  from: string,
  to: string,
  type: 'ticket.updated' | 'change.updated' | 'problem.updated' = 'ticket.updated',
) => recordUpdated(type, recordId, at, [{ field: 'state', oldValue: from, newValue: to }]);

/** An `sla.*` event as the SLA engine publishes it (functions/core/sla/sla-service.ts). */
export const slaEvent = (
  type: 'sla.met' | 'sla.breached' | 'sla.stopped' | 'sla.reopened' | 'sla.started',
  recordId: string,
  at: string,
  detail: {
    target?: 'response' | 'resolution';
    kind?: 'sla' | 'ola';
    status?: string;
    recordType?: string;
  } = {},
): DomainEvent => ({
  type,
  id: id(),
  at,
  detail: {
    recordId,
    recordType: detail.recordType ?? 'incident',
    number: 'INC0001001',
    definitionId: 'gold',
    definitionVersion: 1,
    kind: detail.kind ?? 'sla',
    target: detail.target ?? 'resolution',
    priority: 3,
    status: detail.status ?? (type === 'sla.met' ? 'met' : type === 'sla.reopened' ? 'running' : 'breached'),
    breached: type === 'sla.breached' || detail.status === 'breached',
    budgetMs: 3_600_000,
    elapsedMs: 1_000,
  },
});
