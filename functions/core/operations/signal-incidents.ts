import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { CmdbStore } from '#ports/cmdb-store.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { Mailer } from '#ports/mail.ts';
import type { OperationsStore } from '#ports/operations-store.ts';
import type { RateLimiter } from '#ports/rate-limiter.ts';
import type { ConfigurationItem } from '../cmdb/ci.ts';
import { impactOf } from '../cmdb/impact-service.ts';
import type { Actor } from '../identity/actor.ts';
import { linkedEvent } from '../record/audit.ts';
import { AGAIN, retried } from '../record/retry.ts';
import type { Level } from '../ticket/priority.ts';
import { activeStates, type Ticket } from '../ticket/ticket.ts';
import { addArticle, changeTicket, openTicket, type TicketDeps } from '../ticket/ticket-service.ts';
import type { OperationsSettings } from './operations-settings.ts';
import type { Signal, SignalKind } from './signal.ts';

/**
 * The one path from an AWS signal (a CloudWatch alarm, an AWS Health event) to an incident: the
 * CI its resource is in the CMDB (by ARN), the business services that CI's impact reaches, the
 * priority from their criticality (or a priority tag), and one open incident per signal —
 * a repeat adds an entry, never a second ticket. Concurrent deliveries are safe: the incident's
 * create is idempotent on `<kind>#<key>#<episode>` and the signal item is written on its
 * version, so the loser reads again and appends instead. Flapping is damped: entries closer
 * than `entryIntervalSeconds` fold into a count, a flapping signal does not resolve its
 * incident, and a signal that fires again soon after its incident was resolved reopens it.
 */

export interface OperationsDeps {
  readonly store: OperationsStore;
  readonly tickets: TicketDeps;
  readonly cis: CmdbStore;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly mailer: Mailer;
  readonly rateLimiter: RateLimiter;
  /** The support address: the domain of our own Message-IDs. */
  readonly supportAddress: string;
  readonly portalUrl: string;
  readonly settings: OperationsSettings;
}

/** Where the trouble is: the CI found (if any) and the business services it reaches. */
export interface Affected {
  readonly ci?: Pick<
    ConfigurationItem,
    'id' | 'number' | 'name' | 'class' | 'criticality' | 'tags' | 'supportGroup'
  >;
  readonly services: readonly {
    readonly id: string;
    readonly name: string;
    readonly criticality: ConfigurationItem['criticality'];
    readonly supportGroup?: string;
  }[];
  /** The ARNs looked up. */
  readonly arns: readonly string[];
  readonly priority: number;
}

export interface SignalInput {
  readonly kind: SignalKind;
  readonly key: string;
  readonly name: string;
  readonly state: string;
  /** When the state began (the event's time). */
  readonly at: string;
  readonly arns: readonly string[];
  readonly title: string;
  readonly description: string;
  /** The entry a repeat writes on the open incident. */
  readonly entry: string;
  readonly tags: readonly string[];
}

export type SignalOutcome =
  | {
      readonly outcome: 'opened' | 'reopened' | 'appended' | 'folded' | 'resolved' | 'noted';
      readonly incident: Pick<Ticket, 'id' | 'number'>;
      readonly affected?: Affected;
      readonly mailed?: number;
    }
  | { readonly outcome: 'stale' | 'cleared' }
  | { readonly outcome: 'ignored'; readonly reason: string };

/** The actor cloud operations writes as: the configured requester, allowed to work any ticket. */
export const operationsActor = (settings: OperationsSettings): Actor => ({
  id: 'cloud-operations',
  email: settings.requester,
  name: 'AWS monitoring',
  groups: ['admins'],
});

const ms = (iso: string) => new Date(iso).getTime();

/** ITIL impact and urgency that give a priority under the default matrix. */
const levelsOf: Record<number, [Level, Level]> = { 1: [1, 1], 2: [1, 2], 3: [2, 2], 4: [2, 3], 5: [3, 3] };

const taggedPriority = (tags: Readonly<Record<string, string>> | undefined, tag: string) => {
  const value = Number(tags?.[tag]);
  return Number.isInteger(value) && value >= 1 && value <= 5 ? value : undefined;
};

/** The CI of the first ARN the CMDB holds, the business services its impact reaches, and the priority. */
export async function affectedBy(
  deps: Pick<OperationsDeps, 'cis' | 'settings'>,
  arns: readonly string[],
): Promise<Affected> {
  const { settings } = deps;
  let ci: ConfigurationItem | undefined;
  for (const arn of arns) {
    ci = await deps.cis.findByExternalId(arn);
    if (ci) break;
  }
  if (!ci) return { services: [], arns, priority: settings.unknownCiPriority };
  const impact = await impactOf(deps, ci, 'downstream', 3);
  const serviceCis = await Promise.all(
    impact.services.filter((s) => s.status !== 'retired').map((s) => deps.cis.get(s.ci.id)),
  );
  const services = serviceCis.flatMap((s) =>
    s
      ? [
          {
            id: s.id,
            name: s.name,
            criticality: s.criticality,
            tags: s.tags,
            ...(s.supportGroup ? { supportGroup: s.supportGroup } : {}),
          },
        ]
      : [],
  );
  const tagged = [ci, ...serviceCis]
    .map((c) => taggedPriority(c?.tags, settings.priorityTag))
    .filter((p): p is number => p !== undefined);
  const byCriticality = (services.length > 0 ? services : [ci]).map(
    (c) => settings.priorityByCriticality[c.criticality],
  );
  return {
    ci: {
      id: ci.id,
      number: ci.number,
      name: ci.name,
      class: ci.class,
      criticality: ci.criticality,
      tags: ci.tags,
      ...(ci.supportGroup ? { supportGroup: ci.supportGroup } : {}),
    },
    services: services.map(({ tags: _t, ...s }) => s),
    arns,
    priority: Math.min(...(tagged.length > 0 ? tagged : byCriticality)),
  };
}

/** The signal's recent state changes, with this one when the state changed. */
function transitionsAfter(
  deps: OperationsDeps,
  current: Signal | undefined,
  state: string,
  at: string,
): string[] {
  const window = deps.settings.alarms.flapWindowSeconds * 1000;
  const all =
    current && current.state !== state ? [...current.transitions, at] : [...(current?.transitions ?? [])];
  return all.filter((t) => ms(at) - ms(t) <= window).slice(-50);
}

const isFlapping = (deps: OperationsDeps, transitions: readonly string[]) =>
  transitions.length >= deps.settings.alarms.flapThreshold;

async function incidentOf(deps: OperationsDeps, signal: Signal | undefined): Promise<Ticket | undefined> {
  if (!signal?.incidentId) return undefined;
  return (await deps.tickets.tickets.get(signal.incidentId))?.ticket;
}

/** Writes a change to the incident, reading its version again if someone else wrote meanwhile. */
async function changeIncident(
  deps: OperationsDeps,
  incidentId: string,
  change: (ticket: Ticket) => Parameters<typeof changeTicket>[3],
  note: string,
): Promise<void> {
  const actor = operationsActor(deps.settings);
  await retried(`Incident ${incidentId}`, async () => {
    const found = await deps.tickets.tickets.get(incidentId);
    if (!found) return undefined;
    try {
      await changeTicket(deps.tickets, actor, incidentId, change(found.ticket), {
        article: { type: 'note', body: note },
      });
      return undefined;
    } catch (error) {
      if ((error as Error).name === 'ConflictError') return AGAIN;
      throw error;
    }
  });
}

const note = (deps: OperationsDeps, incidentId: string, body: string) =>
  addArticle(
    deps.tickets,
    operationsActor(deps.settings),
    incidentId,
    { type: 'note', body },
    { channel: 'system' },
  );

/** The part of a signal every event rewrites. */
const stateOf = (
  input: Pick<SignalInput, 'key' | 'kind' | 'name' | 'state' | 'at'>,
  transitions: string[],
) => ({
  key: input.key,
  kind: input.kind,
  name: input.name,
  state: input.state,
  stateAt: input.at,
  transitions,
});

/** Raises a signal (an alarm in ALARM, a Health issue open): opens, reopens or appends to its incident. */
export async function raiseSignal(deps: OperationsDeps, input: SignalInput): Promise<SignalOutcome> {
  return retried(`Signal ${input.name}`, async () => {
    const current = await deps.store.signal(input.key);
    if (current && ms(input.at) < ms(current.stateAt)) return { outcome: 'stale' } as const;
    const now = deps.clock.now().toISOString();
    const transitions = transitionsAfter(deps, current, input.state, input.at);
    const incident = await incidentOf(deps, current);
    const base = stateOf(input, transitions);
    if (current && incident && (activeStates.includes(incident.state) || recentlyResolved(deps, incident))) {
      const due =
        !current.lastEntryAt ||
        ms(now) - ms(current.lastEntryAt) >= deps.settings.alarms.entryIntervalSeconds * 1000;
      const reopen = incident.state === 'resolved';
      const next: Signal = {
        ...current,
        ...base,
        folded: due || reopen ? 0 : current.folded + 1,
        ...(due || reopen ? { lastEntryAt: now } : {}),
        version: current.version + 1,
      };
      if (!(await deps.store.saveSignal(next, current.version))) return AGAIN;
      const folded = current.folded > 0 ? ` (${current.folded} repeat(s) since the last entry)` : '';
      const flapping = isFlapping(deps, transitions) ? ' The signal is flapping.' : '';
      const ref = { id: incident.id, number: incident.number };
      if (reopen) {
        await changeIncident(
          deps,
          incident.id,
          (t) => ({ version: t.version, state: 'in_progress' }),
          `${input.entry}${folded}: reopened, it came back within the flapping window.${flapping}`,
        );
        return { outcome: 'reopened', incident: ref } as const;
      }
      if (!due) return { outcome: 'folded', incident: ref } as const;
      await note(deps, incident.id, `${input.entry}${folded}.${flapping}`);
      return { outcome: 'appended', incident: ref } as const;
    }
    const episode = (current?.episode ?? 0) + 1;
    const affected = await affectedBy(deps, input.arns);
    const opened = await openIncident(deps, input, affected, `${input.kind}#${input.key}#${episode}`);
    const next: Signal = {
      ...base,
      episode,
      incidentId: opened.ticket.id,
      incidentNumber: opened.ticket.number,
      lastEntryAt: now,
      folded: 0,
      version: (current?.version ?? 0) + 1,
    };
    // Lost: another delivery of this episode stored it first (the create above returned its
    // ticket, by the idempotency key): read again, and append.
    if (!(await deps.store.saveSignal(next, current?.version ?? 0))) return AGAIN;
    const mailed = opened.created ? await notifyOpened(deps, opened.ticket, affected) : 0;
    return {
      outcome: 'opened',
      incident: { id: opened.ticket.id, number: opened.ticket.number },
      affected,
      mailed,
    } as const;
  });
}

/** A resolved incident the signal fires again on within the flapping window is reopened, not doubled. */
const recentlyResolved = (deps: OperationsDeps, incident: Ticket) =>
  incident.state === 'resolved' &&
  deps.clock.now().getTime() - ms(incident.updatedAt) <= deps.settings.alarms.flapWindowSeconds * 1000;

/** Opens the incident of a signal (or of a CloudTrail call), exactly once per idempotency key, linked to its CI. */
export async function openIncident(
  deps: OperationsDeps,
  input: Pick<SignalInput, 'title' | 'description' | 'tags'>,
  affected: Affected,
  idempotencyKey: string,
) {
  const [impact, urgency] = levelsOf[affected.priority] ?? [2, 2];
  const where = affected.ci
    ? `${affected.ci.name} (${affected.ci.number})${affected.services.length > 0 ? ` — ${affected.services.map((s) => s.name).join(', ')}` : ''}`
    : 'unknown CI';
  const group =
    affected.ci?.supportGroup ??
    affected.services.find((s) => s.supportGroup)?.supportGroup ??
    deps.settings.defaultGroup;
  const opened = await openTicket(
    deps.tickets,
    operationsActor(deps.settings),
    {
      kind: 'incident',
      shortDescription: `${input.title} on ${where}`.slice(0, 160),
      description: [
        input.description,
        '',
        affected.ci
          ? `Configuration item: ${affected.ci.name} (${affected.ci.number})`
          : `Configuration item: unknown CI (not in the CMDB: ${affected.arns.join(', ') || 'no resource named'})`,
        ...(affected.services.length > 0
          ? [`Business services: ${affected.services.map((s) => `${s.name} (${s.criticality})`).join(', ')}`]
          : []),
      ]
        .join('\n')
        .slice(0, 10_000),
      impact,
      urgency,
      ...(affected.services[0] ? { service: affected.services[0].name.slice(0, 64) } : {}),
      tags: [...input.tags, ...(affected.ci ? [] : ['unknown-ci'])].slice(0, 20),
      ...(group ? { assignmentGroup: group } : {}),
    },
    { channel: 'alarm', idempotencyKey },
  );
  if (affected.ci) {
    const at = deps.clock.now().toISOString();
    const link = {
      type: 'relates_to' as const,
      source: { kind: 'incident' as const, id: opened.ticket.id, number: opened.ticket.number },
      target: { kind: 'configuration_item' as const, id: affected.ci.id, number: affected.ci.number },
      createdAt: at,
      createdBy: { id: 'cloud-operations', email: deps.settings.requester },
    };
    // Two deliveries of one episode both try; the second finds the link there.
    if (await deps.store.link(link))
      await deps.events.publish([linkedEvent(link, { id: deps.ids.next(), at })]);
  }
  return opened;
}

/** Clears a signal (OK, Health closed): resolves its incident or notes it, unless it is flapping. */
export async function clearSignal(
  deps: OperationsDeps,
  input: Pick<SignalInput, 'kind' | 'key' | 'name' | 'state' | 'at' | 'entry'>,
): Promise<SignalOutcome> {
  return retried(`Signal ${input.name}`, async () => {
    const current = await deps.store.signal(input.key);
    if (current && ms(input.at) < ms(current.stateAt)) return { outcome: 'stale' } as const;
    const transitions = transitionsAfter(deps, current, input.state, input.at);
    const next: Signal = {
      episode: 0,
      folded: 0,
      ...current,
      ...stateOf(input, transitions),
      version: (current?.version ?? 0) + 1,
    };
    if (!(await deps.store.saveSignal(next, current?.version ?? 0))) return AGAIN;
    const incident = await incidentOf(deps, current);
    if (!incident || !activeStates.includes(incident.state)) return { outcome: 'cleared' } as const;
    const ref = { id: incident.id, number: incident.number };
    if (deps.settings.alarms.onOk === 'note' || isFlapping(deps, transitions)) {
      await note(
        deps,
        incident.id,
        `${input.entry}${isFlapping(deps, transitions) ? ' The signal is flapping: the incident stays open.' : ''}`,
      );
      return { outcome: 'noted', incident: ref } as const;
    }
    await changeIncident(
      deps,
      incident.id,
      (t) => ({
        version: t.version,
        state: 'resolved',
        resolutionCode: 'solved',
        resolutionNotes: input.entry,
      }),
      input.entry,
    );
    return { outcome: 'resolved', incident: ref } as const;
  });
}

/**
 * Mails the configured addresses that an incident opened, at most once per address per window:
 * in a storm of 500 alarms the first incident is mailed and the rest wait in the queue, so the
 * SES quota and people's inboxes survive. Returns the mails sent.
 */
export async function notifyOpened(
  deps: OperationsDeps,
  ticket: Ticket,
  affected: Affected,
): Promise<number> {
  const { addresses, windowSeconds } = deps.settings.notify;
  const domain = deps.supportAddress.split('@')[1] ?? 'spoke.invalid';
  let sent = 0;
  for (const to of addresses) {
    if (!(await deps.rateLimiter.tryTake(`ops-notify:${to}`, 1, windowSeconds))) continue;
    await deps.mailer.send({
      to: [to],
      subject: `[${ticket.number}] ${ticket.shortDescription}`,
      text: [
        `${ticket.number} (priority ${ticket.priority}) was opened from AWS monitoring.`,
        affected.ci ? `Configuration item: ${affected.ci.name}` : 'Configuration item: unknown CI',
        '',
        `${deps.portalUrl.replace(/\/$/, '')}/tickets/${ticket.id}`,
        '',
        `Further incidents opened from AWS monitoring in the next ${Math.round(windowSeconds / 60)} minutes are not mailed one by one: see the queue.`,
      ].join('\n'),
      messageId: `<ops-${ticket.id}@${domain}>`,
      automatic: true,
    });
    sent++;
  }
  return sent;
}
