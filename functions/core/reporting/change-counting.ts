import { type Count, duration } from './counters.ts';
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
 * Counting changes and problems.
 *
 * Changes (under their implementing group): **created** by type (standard, normal, emergency:
 * emergency share = emergency / created); **CAB lead time** from entering `authorize` to the
 * approval (`authorize → scheduled`), business minutes; **rejected**; implementation outcomes:
 * **closed** with a successful close code (success rate = successful / closed), **failed**,
 * **backed out**.
 *
 * Problems (under group and priority): **opened**, **known errors** (the first time a
 * workaround is published), **resolved**.
 */

const baseFacts = (kind: RecordFacts['kind'], at: string): RecordFacts => ({
  kind,
  openedAt: at,
  state: 'new',
  open: false,
  transferred: false,
  held: false,
  reopens: 0,
  serviceCounted: false,
  knownError: false,
  version: 0,
});

function changeCreated({ event, dayOf }: CountContext) {
  const group = stringOf(event.detail.assignmentGroup);
  const type = stringOf(event.detail.type) ?? 'normal';
  const facts: RecordFacts = {
    ...baseFacts('change', event.at),
    changeType: type,
    ...(group ? { group } : {}),
  };
  const counts: Count[] = [
    { day: dayOf(event.at), dims: dimensionsOf(facts), add: { chgCreated: 1, [`chg_${type}`]: 1 } },
  ];
  return { facts, counts };
}

function changeUpdated(context: CountContext) {
  const before = requireFacts(context);
  const { event, dayOf, minutesBetween } = context;
  const facts: RecordFacts = { ...before };
  const add: Record<string, number> = {};
  const changes = changesOf(event.detail);
  const group = changes.find((c) => c.field === 'assignmentGroup');
  if (group && stringOf(group.newValue)) facts.group = stringOf(group.newValue);
  const state = stringOf(changes.find((c) => c.field === 'state')?.newValue);
  if (state && state !== before.state) {
    facts.state = state;
    if (state === 'authorize') facts.authorizeAt = event.at;
    if (before.state === 'authorize' && state === 'scheduled' && before.authorizeAt)
      Object.assign(add, duration('cab', minutesBetween(before.authorizeAt, event.at)));
    if (state === 'rejected') add.chgRejected = 1;
    if (state === 'failed') add.chgFailed = 1;
    if (state === 'backed_out') add.chgBackedOut = 1;
    if (state === 'closed') {
      add.chgClosed = 1;
      const code = stringOf(changes.find((c) => c.field === 'closeCode')?.newValue);
      if (code === 'successful' || code === 'successful_with_issues') add.chgSuccessful = 1;
    }
  }
  const counts: Count[] =
    Object.keys(add).length > 0 ? [{ day: dayOf(event.at), dims: dimensionsOf(facts), add }] : [];
  return { facts, counts };
}

function problemCreated({ event, dayOf }: CountContext) {
  const group = stringOf(event.detail.assignmentGroup);
  const priority = numberOf(event.detail.priority);
  const facts: RecordFacts = {
    ...baseFacts('problem', event.at),
    ...(group ? { group } : {}),
    ...(priority ? { priority } : {}),
  };
  return { facts, counts: [{ day: dayOf(event.at), dims: dimensionsOf(facts), add: { prbOpened: 1 } }] };
}

function problemUpdated(context: CountContext) {
  const before = requireFacts(context);
  const { event, dayOf } = context;
  const facts: RecordFacts = { ...before };
  const add: Record<string, number> = {};
  for (const change of changesOf(event.detail)) {
    if (change.field === 'assignmentGroup' && stringOf(change.newValue))
      facts.group = stringOf(change.newValue);
    if (change.field === 'priority' && numberOf(change.newValue)) facts.priority = numberOf(change.newValue);
    if (change.field === 'workaroundPublished' && change.newValue === true && !facts.knownError) {
      facts.knownError = true;
      add.knownErrors = 1;
    }
    if (change.field === 'state' && stringOf(change.newValue) && change.newValue !== facts.state) {
      facts.state = stringOf(change.newValue) as string;
      if (facts.state === 'resolved') add.prbResolved = 1;
    }
  }
  const counts: Count[] =
    Object.keys(add).length > 0 ? [{ day: dayOf(event.at), dims: dimensionsOf(facts), add }] : [];
  return { facts, counts };
}

export const changeCreatedMapping = mappingOf('changeId', changeCreated);
export const changeUpdatedMapping = mappingOf('changeId', changeUpdated);
export const problemCreatedMapping = mappingOf('problemId', problemCreated);
export const problemUpdatedMapping = mappingOf('problemId', problemUpdated);
