import { BACKLOG_DELTA, type Count, duration, serviceCounter } from './counters.ts';
import {
  type CountContext,
  changesOf,
  dimensionsOf,
  mappingOf,
  numberOf,
  type RecordFacts,
  requireFacts,
  stringOf,
} from './facts.ts';

/**
 * Counting tickets (incidents and requests) from `ticket.created` and `ticket.updated`.
 *
 * - **opened** on creation; **backlog** +1 on creation and reopen, −1 on resolution and on
 *   cancellation of an open ticket; a change of group, service or priority moves an open
 *   ticket's backlog from the old cuts to the new ones.
 * - **acknowledged**: the first move out of `new` (resolving at once acknowledges too); time
 *   to acknowledge = business minutes from opening.
 * - **resolved**, with the business minutes from opening; requests also count as
 *   **fulfilled** with that lead time.
 * - **first-contact resolution**: resolved without a transfer to another group, without a
 *   hold and without a reopen. A later reopen takes it back on the day it was counted.
 * - **reopened**: `resolved → in_progress`. Reopen rate = reopened / resolved.
 * - **top services**: incidents per service, counted once, when the service is first known.
 */

const kindOfNumber = (number: unknown): 'incident' | 'request' =>
  typeof number === 'string' && number.startsWith('REQ') ? 'request' : 'incident';

function serviceCount(facts: RecordFacts, day: string): Count[] {
  if (facts.kind !== 'incident' || !facts.service || facts.serviceCounted) return [];
  return [{ day, dims: dimensionsOf(facts), add: { [serviceCounter(facts.service)]: 1 } }];
}

function created({ event, dayOf }: CountContext) {
  const detail = event.detail;
  const day = dayOf(event.at);
  const service = stringOf(detail.service);
  const group = stringOf(detail.assignmentGroup);
  const priority = numberOf(detail.priority);
  const channel = stringOf(detail.channel);
  const kind =
    detail.kind === 'request' || detail.kind === 'incident' ? detail.kind : kindOfNumber(detail.number);
  const facts: RecordFacts = {
    kind,
    openedAt: event.at,
    state: 'new',
    ...(group ? { group } : {}),
    ...(service ? { service } : {}),
    ...(priority ? { priority } : {}),
    ...(channel ? { channel } : {}),
    open: true,
    transferred: false,
    held: false,
    reopens: 0,
    serviceCounted: false,
    knownError: false,
    version: 0,
  };
  const counts: Count[] = [
    { day, dims: dimensionsOf(facts), add: { opened: 1, [`opened_${kind}`]: 1, [BACKLOG_DELTA]: 1 } },
    ...serviceCount(facts, day),
  ];
  return { facts: { ...facts, serviceCounted: facts.kind === 'incident' && Boolean(service) }, counts };
}

function updated(context: CountContext) {
  const before = requireFacts(context);
  const { event, dayOf, minutesBetween } = context;
  const day = dayOf(event.at);
  const facts: RecordFacts = { ...before };
  const counts: Count[] = [];
  const add: Record<string, number> = {};
  const plus = (numbers: Record<string, number>) => {
    for (const [name, value] of Object.entries(numbers)) add[name] = (add[name] ?? 0) + value;
  };
  let stateChange: { from?: string; to: string } | undefined;
  for (const change of changesOf(event.detail)) {
    if (change.field === 'assignmentGroup') {
      const group = stringOf(change.newValue);
      if (before.group && group !== before.group) facts.transferred = true;
      if (group) facts.group = group;
      else delete facts.group;
    } else if (change.field === 'service') {
      const service = stringOf(change.newValue);
      if (service) facts.service = service;
      else delete facts.service;
    } else if (change.field === 'priority') {
      const priority = numberOf(change.newValue);
      if (priority) facts.priority = priority;
    } else if (change.field === 'state') {
      const to = stringOf(change.newValue);
      if (to) stateChange = { ...(stringOf(change.oldValue) ? { from: stringOf(change.oldValue) } : {}), to };
    }
  }
  // The backlog follows the ticket to its new cuts (before the state change is counted under them).
  const moved = ['group', 'service', 'priority'].some(
    (d) => before[d as keyof RecordFacts] !== facts[d as keyof RecordFacts],
  );
  if (before.open && moved) {
    counts.push({ day, dims: dimensionsOf(before), add: { [BACKLOG_DELTA]: -1 } });
    counts.push({ day, dims: dimensionsOf(facts), add: { [BACKLOG_DELTA]: 1 } });
  }
  counts.push(...serviceCount(facts, day));
  if (facts.kind === 'incident' && facts.service) facts.serviceCounted = true;
  if (stateChange && stateChange.to !== before.state) {
    const { to } = stateChange;
    facts.state = to;
    if (!facts.acknowledgedAt && to !== 'new' && to !== 'cancelled') {
      facts.acknowledgedAt = event.at;
      plus({ acknowledged: 1, ...duration('ack', minutesBetween(facts.openedAt, event.at)) });
    }
    if (to === 'on_hold') facts.held = true;
    if (to === 'resolved') {
      plus({ resolved: 1, ...duration('res', minutesBetween(facts.openedAt, event.at)) });
      if (facts.kind === 'request') plus(duration('ful', minutesBetween(facts.openedAt, event.at)));
      if (!facts.transferred && !facts.held && facts.reopens === 0) {
        plus({ firstContact: 1 });
        facts.firstContact = { day, ...dimensionsOf(facts) };
      }
    }
    if (before.state === 'resolved' && to === 'in_progress') {
      plus({ reopened: 1 });
      facts.reopens += 1;
      if (facts.firstContact) {
        const { day: counted, ...dims } = facts.firstContact;
        counts.push({ day: counted, dims, add: { firstContact: -1 } });
        delete facts.firstContact;
      }
    }
    if (to === 'cancelled') plus({ cancelled: 1 });
    if (to === 'closed') plus({ closed: 1 });
    const open = to === 'new' || to === 'in_progress' || to === 'on_hold';
    if (open !== facts.open) {
      plus({ [BACKLOG_DELTA]: open ? 1 : -1 });
      facts.open = open;
    }
  }
  if (Object.keys(add).length > 0) counts.push({ day, dims: dimensionsOf(facts), add });
  return { facts, counts };
}

export const ticketCreated = mappingOf('ticketId', created);
export const ticketUpdated = mappingOf('ticketId', updated);
