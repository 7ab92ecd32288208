import * as z from 'zod';
import type { ChangeStore } from '#ports/change-store.ts';
import type { Change } from '../change/change.ts';
import type { ConfigurationItem } from '../cmdb/ci.ts';
import { impactOf } from '../cmdb/impact-service.ts';
import { CloudTrailCall } from './aws-events.ts';
import { arnsOfParameters } from './resource-arns.ts';
import { affectedBy, notifyOpened, type OperationsDeps, openIncident } from './signal-incidents.ts';

/**
 * Changes nobody approved, caught as they happen: a CloudTrail management event (a write call)
 * on a watched CI — in a watched environment, of a watched criticality or carrying a watched
 * tag — is matched against the changes in `implement` whose planned window holds the call's time
 * and whose CIs or services cover the CI. No match opens an incident "change without an
 * approved change record" with who, what, when and the call; an allow-listed principal (the
 * pipelines' roles) is let through.
 */
export const TrailSettings = z.object({
  /** Environments whose CIs are watched. @default ['production'] */
  environments: z.array(z.string().min(1).max(32)).max(10).default(['production']),
  /** Criticalities whose CIs are watched. @default ['critical', 'high'] */
  criticalities: z
    .array(z.enum(['critical', 'high', 'medium', 'low']))
    .max(4)
    .default(['critical', 'high']),
  /** CIs with one of these tags (`key` or `key=value`) are watched whatever their criticality. */
  tags: z.array(z.string().min(1).max(256)).max(20).default([]),
  /** Only these API calls (`StopInstances`, `UpdateFunctionConfiguration`, …); empty: every write call. */
  eventNames: z.array(z.string().min(1).max(128)).max(100).default([]),
  /** Principals let through: role or user ARNs, or ARN prefixes (`arn:aws:iam::123456789012:role/pipeline-`). */
  allowPrincipals: z.array(z.string().min(1).max(2048)).max(50).default([]),
});
export type TrailSettings = z.infer<typeof TrailSettings>;

export interface TrailDeps {
  readonly changes: ChangeStore;
  readonly trail: z.input<typeof TrailSettings>;
}

export type TrailOutcome =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'covered'; readonly change: string; readonly ci: string }
  | {
      readonly outcome: 'opened';
      readonly incident: { readonly id: string; readonly number: string };
      readonly ci: string;
      readonly created: boolean;
      /** Mails sent about it (one per address per notify window). */
      readonly mailed: number;
    };

const watched = (settings: TrailSettings, ci: ConfigurationItem) =>
  ci.status !== 'retired' &&
  settings.environments.includes(ci.environment ?? '') &&
  (settings.criticalities.includes(ci.criticality) ||
    settings.tags.some((tag) => {
      const [key = '', value] = tag.split('=');
      return key in ci.tags && (value === undefined || ci.tags[key] === value);
    }));

/** The principal a call ran as: the role behind an assumed-role session, else the caller's ARN. */
const principalOf = (call: CloudTrailCall['detail']) =>
  call.userIdentity.sessionContext?.sessionIssuer?.arn ??
  call.userIdentity.arn ??
  call.userIdentity.invokedBy ??
  call.userIdentity.type;

async function implementing(changes: ChangeStore): Promise<Change[]> {
  const all: Change[] = [];
  let cursor: string | undefined;
  do {
    const page = await changes.list(
      { by: 'state', state: 'implement' },
      { limit: 100, ...(cursor ? { cursor } : {}) },
    );
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor && all.length < 2000);
  return all;
}

export async function applyCloudTrailCall(
  deps: OperationsDeps & TrailDeps,
  raw: unknown,
): Promise<TrailOutcome> {
  const event = CloudTrailCall.parse(raw);
  const call = event.detail;
  const settings = TrailSettings.parse(deps.trail);
  if (call.readOnly === true) return { outcome: 'ignored', reason: 'a read-only call' };
  if (call.errorCode) return { outcome: 'ignored', reason: `the call failed (${call.errorCode})` };
  if (settings.eventNames.length > 0 && !settings.eventNames.includes(call.eventName))
    return { outcome: 'ignored', reason: `${call.eventName} is not watched` };
  const principal = principalOf(call);
  if (settings.allowPrincipals.some((allowed) => principal === allowed || principal.startsWith(allowed)))
    return { outcome: 'ignored', reason: `${principal} is allow-listed` };
  const place = { account: event.account, region: call.awsRegion };
  const arns = [
    ...new Set([
      ...arnsOfParameters(call.requestParameters ?? {}, place),
      ...(call.resources ?? []).flatMap((r) => (r.ARN ? [r.ARN] : [])),
      ...event.resources,
    ]),
  ];
  let ci: ConfigurationItem | undefined;
  for (const arn of arns) {
    const found = await deps.cis.findByExternalId(arn);
    if (found && watched(settings, found)) {
      ci = found;
      break;
    }
  }
  if (!ci) return { outcome: 'ignored', reason: 'no watched CI is touched' };
  const services = (await impactOf(deps, ci, 'downstream', 3)).services.map((s) => s.ci.name.toLowerCase());
  const names = new Set(
    [ci.name, ci.number, ci.externalId ?? ''].map((n) => n.toLowerCase()).filter(Boolean),
  );
  const at = new Date(call.eventTime).getTime();
  const cover = (await implementing(deps.changes)).find(
    (change) =>
      new Date(change.plannedStart).getTime() <= at &&
      at <= new Date(change.plannedEnd).getTime() &&
      (change.configurationItems.some((label) => names.has(label.toLowerCase())) ||
        change.services.some(
          (label) => services.includes(label.toLowerCase()) || names.has(label.toLowerCase()),
        )),
  );
  if (cover) return { outcome: 'covered', change: cover.number, ci: ci.number };
  const affected = await affectedBy(deps, [ci.externalId ?? '']);
  const parameters = JSON.stringify(call.requestParameters ?? {}).slice(0, 2000);
  const opened = await openIncident(
    deps,
    {
      title: `Change without an approved change record: ${call.eventName}`,
      description: [
        `${call.eventName} (${call.eventSource}) changed ${ci.name} (${ci.number}, ${ci.environment}) and no change in implement covers it.`,
        '',
        `Who: ${principal} (${call.userIdentity.type}${call.userIdentity.arn && call.userIdentity.arn !== principal ? `, session ${call.userIdentity.arn}` : ''})`,
        `What: ${call.eventSource} ${call.eventName} ${parameters}`,
        `When: ${call.eventTime}`,
        `From: ${call.sourceIPAddress ?? 'unknown address'}${call.userAgent ? ` with ${call.userAgent}` : ''}`,
        `The API call: event ${call.eventID} in account ${event.account}, ${call.awsRegion}`,
      ].join('\n'),
      tags: ['unapproved-change', 'aws-cloudtrail'],
    },
    affected,
    `trail#${call.eventID}`,
  );
  const mailed = opened.created ? await notifyOpened(deps, opened.ticket, affected) : 0;
  return {
    outcome: 'opened',
    incident: { id: opened.ticket.id, number: opened.ticket.number },
    ci: ci.number,
    created: opened.created,
    mailed,
  };
}
