import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { articleEntity, counterEntity, ticketEntity } from '#adapters/dynamodb/entities.ts';
import { ulidAt } from '#adapters/system/system.ts';
import { Article } from '#core/ticket/article.ts';
import { defaultPriorityMatrix, type Level, priorityOf } from '#core/ticket/priority.ts';
import {
  FIRST_SEQUENCE,
  formatTicketNumber,
  type Person,
  Ticket,
  type TicketKind,
  type TicketState,
} from '#core/ticket/ticket.ts';
import { defaultTicketSettings } from '#core/ticket/ticket-service.ts';

/**
 * The ticket data set of the ticket-engine bench, written straight into the domain table with
 * the store's own entities (`ticketEntity`, `articleEntity`) and records
 * that pass the zod schemas, so the handlers read it exactly as if they had written it. Going
 * around the handler is what makes 100,000 tickets load in minutes instead of hours.
 */

export const GROUPS = Array.from({ length: 20 }, (_, i) => `g${String(i + 1).padStart(2, '0')}`);
/** The group whose queue is measured; the measuring agent is one of its members. */
export const MEASURED_GROUP = 'g07';
export const EMPLOYEES = 2_000;
export const AGENTS_PER_GROUP = 3;

/** The requester whose "mine" list is measured, and how many tickets they have (≥ 10 pages of 25). */
export const MEASURED_REQUESTER_TICKETS = 320;
/** Tickets of the first load that go to the measured queue (`g07`, `new`), for a 10th page at 1,000. */
export const MEASURED_QUEUE_TICKETS = 300;

export const employee = (n: number): Person => {
  const id = String(n).padStart(4, '0');
  return { id: `emp-${id}`, email: `emp${id}@example.com`, name: `Employee ${id}` };
};
export const groupAgent = (group: string, n: number): Person => ({
  id: `agent-${group}-${n}`,
  email: `agent-${group}-${n}@example.com`,
  name: `Agent ${group}/${n}`,
});

/** Mulberry32: a small deterministic generator, so every run loads the same data set. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T,
  };
}
type Random = ReturnType<typeof random>;

/** Roughly a service desk a year in: most tickets done, a fifth waiting in queues. */
const STATES: readonly [TicketState, number][] = [
  ['new', 0.2],
  ['in_progress', 0.2],
  ['on_hold', 0.1],
  ['resolved', 0.1],
  ['closed', 0.35],
  ['cancelled', 0.05],
];
function pickState(rng: Random): TicketState {
  let roll = rng.next();
  for (const [state, share] of STATES) {
    roll -= share;
    if (roll < 0) return state;
  }
  return 'closed';
}

const SUBJECTS = [
  'Laptop does not wake from sleep',
  'VPN drops every few minutes',
  'Printer on floor 3 is offline',
  'Cannot open shared mailbox',
  'Request a second monitor',
  'Password reset for the HR system',
  'Teams calls have no audio',
  'New starter needs an account',
  'Wi-Fi in meeting room B is slow',
  'Excel crashes when opening the budget file',
];
const CATEGORIES = ['hardware', 'software', 'network', 'access', 'email'];
const SERVICES = ['Email', 'VPN', 'ERP', 'HR portal', 'Printing', 'Wi-Fi'];
const HOLD_REASONS = ['awaiting_caller', 'awaiting_vendor', 'awaiting_change'] as const;
const levels: readonly Level[] = [1, 2, 3];

/** A ticket worth measuring later: its id and the version stored. */
export interface TicketRef {
  readonly id: string;
  readonly version: number;
  readonly state: TicketState;
  /** Entries in its conversation (articles). */
  readonly articles: number;
}

export interface LoadPlan {
  /** How many tickets to write. */
  readonly count: number;
  /** Index of the first ticket across loads; the first load starts at 0. */
  readonly firstIndex: number;
  /** The last sequence each counter handed out before this load. */
  readonly sequences: Record<TicketKind, number>;
  /** Tickets are dated between these two moments (ms). */
  readonly from: number;
  readonly until: number;
  readonly measuredRequester: Person;
  /** The agent who measures; a member of `MEASURED_GROUP`, assigned some of its tickets. */
  readonly measuredAgent: Person;
  readonly seed: number;
}

export interface LoadedSet {
  readonly items: number;
  readonly sequences: Record<TicketKind, number>;
  /** Tickets of the measured group that have a conversation of five entries. */
  readonly withConversation: TicketRef[];
  /** Active tickets of the measured group (can be updated). */
  readonly active: TicketRef[];
}

const KEEP = 1_000;

/**
 * Yields the items of one load. The first load (index 0 up) gives the measured requester
 * their tickets and fills the measured queue; every ticket is otherwise spread over 2,000
 * requesters, 20 groups, six states and the groups' agents. Tickets of the measured group
 * from the first load's queue, and one in ten later, carry a five-entry conversation.
 */
function* ticketItems(plan: LoadPlan, loaded: { -readonly [K in keyof LoadedSet]: LoadedSet[K] }) {
  const rng = random(plan.seed);
  const span = plan.until - plan.from;
  for (let n = plan.firstIndex; n < plan.firstIndex + plan.count; n++) {
    const forRequester = n < MEASURED_REQUESTER_TICKETS;
    const forQueue = !forRequester && n < MEASURED_REQUESTER_TICKETS + MEASURED_QUEUE_TICKETS;
    const requester = forRequester ? plan.measuredRequester : employee(1 + rng.int(EMPLOYEES));
    const group = forQueue ? MEASURED_GROUP : rng.pick(GROUPS);
    const state = forQueue ? 'new' : pickState(rng);
    const kind: TicketKind = rng.next() < 0.8 ? 'incident' : 'request';
    loaded.sequences[kind] += 1;
    const createdMs = plan.from + Math.floor(rng.next() * span);
    const updatedMs = Math.min(plan.until, createdMs + rng.int(10 * 24 * 3600_000));
    const createdAt = new Date(createdMs).toISOString();
    const updatedAt = new Date(updatedMs).toISOString();
    const impact = rng.pick(levels);
    const urgency = rng.pick(levels);
    const member = rng.int(AGENTS_PER_GROUP + 1);
    const assignee =
      state === 'new' || rng.next() < 0.1
        ? undefined
        : group === MEASURED_GROUP && member === AGENTS_PER_GROUP
          ? plan.measuredAgent
          : groupAgent(group, 1 + (member % AGENTS_PER_GROUP));
    const resolvedAt = updatedAt;
    const subject = rng.pick(SUBJECTS);
    const id = ulidAt(createdMs);
    const ticket = Ticket.parse({
      id,
      number: formatTicketNumber(kind, loaded.sequences[kind]),
      kind,
      shortDescription: `${subject} (${n})`,
      description: `${subject}. It started this morning and blocks my work; I tried restarting.`,
      category: rng.pick(CATEGORIES),
      service: rng.pick(SERVICES),
      state,
      ...(state === 'on_hold' ? { holdReason: rng.pick(HOLD_REASONS) } : {}),
      impact,
      urgency,
      priority: priorityOf(impact, urgency, defaultPriorityMatrix),
      requester,
      channel: rng.next() < 0.7 ? 'portal' : 'email',
      assignmentGroup: group,
      ...(assignee ? { assignee } : {}),
      watchers: [],
      tags: [],
      links: [],
      ...(state === 'resolved' || state === 'closed'
        ? {
            resolution: {
              code: 'solved',
              notes: 'Fixed remotely; the caller confirmed.',
              resolvedAt,
              resolvedBy: {
                id: (assignee ?? groupAgent(group, 1)).id,
                email: (assignee ?? groupAgent(group, 1)).email,
              },
            },
          }
        : {}),
      ...(state === 'closed' || state === 'cancelled' ? { closedAt: updatedAt } : {}),
      createdAt,
      updatedAt,
      version: state === 'new' ? 1 : 3,
    });
    const autoCloseAt =
      state === 'resolved'
        ? new Date(updatedMs + defaultTicketSettings.autoCloseDays * 24 * 3600_000).toISOString()
        : undefined;
    yield ticketEntity.item(ticket, { autoCloseAt });

    const conversation = group === MEASURED_GROUP && (forQueue || n % 10 === 0) ? 5 : 1;
    for (let a = 0; a < conversation; a++) {
      const at = new Date(createdMs + a * 60_000).toISOString();
      const byAgent = a % 2 === 1;
      const article = Article.parse({
        id: ulidAt(createdMs + a * 60_000),
        ticketId: id,
        type: a === 3 ? 'note' : 'reply',
        author: byAgent ? (assignee ?? groupAgent(group, 1)) : requester,
        body:
          a === 0
            ? ticket.description
            : byAgent
              ? 'Thanks, we are looking into it. Could you tell us the exact error message?'
              : 'The message says "connection reset by peer" and appears every few minutes.',
        channel: a === 0 ? 'portal' : 'email',
        createdAt: at,
      });
      yield articleEntity.item(article);
    }

    if (group === MEASURED_GROUP) {
      const ref = { id, version: ticket.version, state, articles: conversation };
      if (conversation > 1 && loaded.withConversation.length < KEEP) loaded.withConversation.push(ref);
      if ((state === 'new' || state === 'in_progress') && loaded.active.length < KEEP)
        loaded.active.push(ref);
    }
  }
}

const BATCH = 25;
const MAX_ATTEMPTS = 12;

async function writeBatch(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]) {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed`);
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 2 ** attempt * 10)));
    const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
  }
}

/**
 * Writes a load with `concurrency` BatchWriteItem calls in flight, retrying unprocessed
 * items, then moves both number counters past the numbers it used, so creates through the
 * handler continue the numbering.
 */
export async function loadTickets(
  db: DynamoDBDocumentClient,
  table: string,
  plan: LoadPlan,
  concurrency = 8,
  onProgress?: (tickets: number, items: number) => void,
): Promise<LoadedSet> {
  const loaded = {
    items: 0,
    sequences: { ...plan.sequences },
    withConversation: [] as TicketRef[],
    active: [] as TicketRef[],
  };
  let tickets = 0;
  const items = ticketItems(plan, loaded);
  let done = false;
  let lastReport = 0;
  const worker = async () => {
    while (!done) {
      const batch: Record<string, unknown>[] = [];
      while (batch.length < BATCH) {
        const next = items.next();
        if (next.done) {
          done = true;
          break;
        }
        batch.push(next.value);
      }
      if (batch.length === 0) return;
      await writeBatch(db, table, batch);
      loaded.items += batch.length;
      tickets += batch.filter((item) => item.entity === 'ticket').length;
      if (onProgress && loaded.items - lastReport >= 20_000) {
        lastReport = loaded.items;
        onProgress(tickets, loaded.items);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const kind of ['incident', 'request'] as const) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: counterEntity.item({ seq: loaded.sequences[kind] }, { kind }),
      }),
    );
  }
  return loaded;
}

/** The last number each counter handed out (the first sequence minus one before any). */
export async function currentSequences(
  db: DynamoDBDocumentClient,
  table: string,
): Promise<Record<TicketKind, number>> {
  const read = async (kind: TicketKind) => {
    const result = await db.send(
      new GetCommand({ TableName: table, Key: counterEntity.key({ kind }), ConsistentRead: true }),
    );
    return typeof result.Item?.seq === 'number' ? result.Item.seq : FIRST_SEQUENCE - 1;
  };
  return { incident: await read('incident'), request: await read('request') };
}
