import { HealthEvent } from './aws-events.ts';
import { arnsOfHealthEntity } from './resource-arns.ts';
import { clearSignal, type OperationsDeps, raiseSignal, type SignalOutcome } from './signal-incidents.ts';

/**
 * AWS Health events → incidents for the services they touch: an open event of a configured
 * category (`health.categories`, default `issue`) raises the event's signal (one incident per
 * Health event ARN; updates append), `closed` clears it. The CI is the first affected entity the
 * CMDB holds; the incident is linked to it, so the status page follows through its impact.
 */
export async function applyHealthEvent(deps: OperationsDeps, raw: unknown): Promise<SignalOutcome> {
  const event = HealthEvent.parse(raw);
  const { detail } = event;
  if (!deps.settings.health.categories.includes(detail.eventTypeCategory))
    return {
      outcome: 'ignored',
      reason: `category ${detail.eventTypeCategory} is not configured to open incidents`,
    };
  const place = { account: event.account, region: detail.eventRegion ?? event.region };
  const entities = [...detail.affectedEntities.map((e) => e.entityValue), ...event.resources];
  const arns = [...new Set(entities.flatMap((e) => arnsOfHealthEntity(e, detail.service, place)))];
  const text =
    detail.eventDescription.find((d) => d.language.startsWith('en'))?.latestDescription ??
    detail.eventDescription[0]?.latestDescription ??
    '';
  const at = new Date(event.time).toISOString();
  const name = `${detail.service} ${detail.eventTypeCode}`;
  const entry = `AWS Health ${detail.eventTypeCode} is ${detail.statusCode} at ${at}: ${text}`.slice(0, 4000);
  if (detail.statusCode === 'closed')
    return clearSignal(deps, { kind: 'health', key: detail.eventArn, name, state: 'closed', at, entry });
  return raiseSignal(deps, {
    kind: 'health',
    key: detail.eventArn,
    name,
    state: detail.statusCode,
    at,
    arns,
    title: `AWS Health: ${detail.service} ${detail.eventTypeCode.replaceAll('_', ' ').toLowerCase()}`,
    description: [
      `AWS Health reports ${detail.eventTypeCode} (${detail.eventTypeCategory}) for ${detail.service} in ${place.region}, status ${detail.statusCode}.`,
      detail.startTime ? `Started: ${detail.startTime}` : '',
      `Affected: ${entities.join(', ') || 'no entities named'}`,
      '',
      text,
      '',
      `Health event: ${detail.eventArn}`,
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
    entry,
    tags: ['aws-health'],
  });
}
