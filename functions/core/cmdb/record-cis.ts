import * as z from 'zod';
import type { RecordCiStore } from '#ports/record-ci-store.ts';
import type { Actor } from '../identity/actor.ts';
import { linkedEvent } from '../record/audit.ts';
import type { RecordRef, StoredLink } from '../record/record.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { ConfigurationItem } from './ci.ts';
import { type CmdbDeps, mayReadCmdb } from './cmdb-service.ts';
import { type AffectedService, impactOf } from './impact-service.ts';

/**
 * Services and configuration items on incidents, requests, problems and changes as references,
 * not text: a generic record link (`relates_to`, the record as source, the CI as target) kept on
 * both sides, so the record lists its CIs and a CI lists its records with one Query each, and
 * `record.linked` tells the status page and anyone else.
 */
export const LinkableKind = z.enum(['incident', 'request', 'problem', 'change']);
export type LinkableKind = z.infer<typeof LinkableKind>;

/**
 * Checks that the actor may read (`view`) or change (`edit`) a record of another module, and
 * names it; throws `NotFoundError`/`ForbiddenError` otherwise. Given by the composition root,
 * so this module imports no other record type.
 */
export type RecordAccess = (
  actor: Actor,
  kind: LinkableKind,
  id: string,
  intent: 'view' | 'edit',
) => Promise<RecordRef>;

export interface RecordCiDeps {
  readonly links: RecordCiStore;
  readonly cmdb: CmdbDeps;
  readonly access: RecordAccess;
}

export const LinkCiInput = z.strictObject({ ciId: z.string().min(1).max(64) });
export type LinkCiInput = z.input<typeof LinkCiInput>;

/** A CI on a record, as its page shows it. */
export interface RecordCi {
  readonly ci: Pick<ConfigurationItem, 'id' | 'number' | 'name' | 'class' | 'status' | 'criticality'>;
  readonly linkedAt: string;
  readonly linkedBy: string;
}

const ciSide = (link: StoredLink) => (link.target.kind === 'configuration_item' ? link.target : link.source);

function requireCmdbReader(actor: Actor): void {
  if (!mayReadCmdb(actor)) throw new ForbiddenError('Only agents, approvers and admins work with the CMDB');
}

/** Links a CI (a business service, an application, a resource) to a record the actor may change. */
export async function linkCi(
  deps: RecordCiDeps,
  actor: Actor,
  kind: LinkableKind,
  id: string,
  raw: LinkCiInput,
): Promise<RecordCi> {
  const { ciId } = LinkCiInput.parse(raw);
  requireCmdbReader(actor);
  const record = await deps.access(actor, kind, id, 'edit');
  const ci = await deps.cmdb.cis.get(ciId);
  if (!ci)
    throw new ValidationError('No such configuration item', [
      { path: 'ciId', message: `no configuration item ${ciId}` },
    ]);
  const at = deps.cmdb.clock.now().toISOString();
  const link: StoredLink = {
    type: 'relates_to',
    source: record,
    target: { kind: 'configuration_item', id: ci.id, number: ci.number },
    createdAt: at,
    createdBy: { id: actor.id, email: actor.email },
  };
  await deps.links.link(link);
  await deps.cmdb.events.publish([linkedEvent(link, { id: deps.cmdb.ids.next(), at })]);
  return { ci: view(ci), linkedAt: at, linkedBy: actor.email };
}

/** Takes a CI off a record. */
export async function unlinkCi(
  deps: RecordCiDeps,
  actor: Actor,
  kind: LinkableKind,
  id: string,
  ciId: string,
): Promise<void> {
  requireCmdbReader(actor);
  const record = await deps.access(actor, kind, id, 'edit');
  const link = (await deps.links.cisOf(record)).find((l) => ciSide(l).id === ciId);
  if (!link || !(await deps.links.unlink(link)))
    throw new NotFoundError(`${record.number} has no link to ${ciId}`);
  const at = deps.cmdb.clock.now().toISOString();
  await deps.cmdb.events.publish([linkedEvent(link, { id: deps.cmdb.ids.next(), at, removed: true })]);
}

const view = (ci: ConfigurationItem): RecordCi['ci'] => ({
  id: ci.id,
  number: ci.number,
  name: ci.name,
  class: ci.class,
  status: ci.status,
  criticality: ci.criticality,
});

/** The CIs on a record: one Query for the links, one GetItem per CI. */
export async function recordCis(
  deps: RecordCiDeps,
  actor: Actor,
  kind: LinkableKind,
  id: string,
): Promise<RecordCi[]> {
  requireCmdbReader(actor);
  const record = await deps.access(actor, kind, id, 'view');
  return cisOfRecord(deps, record);
}

/** The CIs on a record already authorized (for impact, risk and the CAB mail). */
export async function cisOfRecord(
  deps: Pick<RecordCiDeps, 'links' | 'cmdb'>,
  record: Pick<RecordRef, 'kind' | 'id'>,
): Promise<RecordCi[]> {
  const links = await deps.links.cisOf(record);
  const cis = await Promise.all(
    links.map(async (link) => ({ link, ci: await deps.cmdb.cis.get(ciSide(link).id) })),
  );
  return cis.flatMap(({ link, ci }) =>
    ci ? [{ ci: view(ci), linkedAt: link.createdAt, linkedBy: link.createdBy.email }] : [],
  );
}

/** The blast radius of a record: what its linked CIs reach downstream, merged. */
export interface RecordImpact {
  /** The linked CIs walked from. */
  readonly from: readonly RecordCi['ci'][];
  readonly services: readonly AffectedService[];
  readonly people: readonly { readonly email: string; readonly why: string }[];
  readonly groups: readonly string[];
  readonly truncated: boolean;
}

/** Downstream steps walked from each CI of a record. */
export const RECORD_IMPACT_DEPTH = 3;

/**
 * The business services, people and groups a record's CIs affect (the blast radius of a major
 * incident, what a problem or a change touches): the CMDB's impact analysis from each linked CI,
 * downstream to depth 3, merged (each service once, at its smallest depth).
 */
export async function impactOfRecord(
  deps: Pick<RecordCiDeps, 'links' | 'cmdb'>,
  record: Pick<RecordRef, 'kind' | 'id'>,
): Promise<RecordImpact> {
  const linked = await cisOfRecord(deps, record);
  const services = new Map<string, AffectedService>();
  const people = new Map<string, string>();
  const groups = new Set<string>();
  let truncated = false;
  for (const { ci } of linked) {
    const start = await deps.cmdb.cis.get(ci.id);
    if (!start) continue;
    const impact = await impactOf(deps.cmdb, start, 'downstream', RECORD_IMPACT_DEPTH);
    truncated ||= impact.truncated;
    for (const s of impact.services) {
      const seen = services.get(s.ci.id);
      if (!seen || seen.depth > s.depth) services.set(s.ci.id, s);
    }
    for (const p of impact.people) if (!people.has(p.email)) people.set(p.email, p.why);
    for (const g of impact.groups) groups.add(g);
  }
  return {
    from: linked.map((l) => l.ci),
    services: [...services.values()].sort((a, b) => a.depth - b.depth || a.ci.name.localeCompare(b.ci.name)),
    people: [...people].map(([email, why]) => ({ email, why })),
    groups: [...groups].sort(),
    truncated,
  };
}

/** The blast radius of a record the actor may read. */
export async function recordImpact(
  deps: RecordCiDeps,
  actor: Actor,
  kind: LinkableKind,
  id: string,
): Promise<RecordImpact> {
  requireCmdbReader(actor);
  const record = await deps.access(actor, kind, id, 'view');
  return impactOfRecord(deps, record);
}

/** The names of a record's CIs and the business services they reach, as a change keeps them. */
export async function cmdbFactsOf(
  deps: Pick<RecordCiDeps, 'links' | 'cmdb'>,
  record: Pick<RecordRef, 'kind' | 'id'>,
): Promise<{ cis: string[]; services: { id: string; name: string; criticality: string }[] }> {
  const impact = await impactOfRecord(deps, record);
  return {
    cis: impact.from.map((ci) => ci.name),
    services: impact.services.map((s) => ({ id: s.ci.id, name: s.ci.name, criticality: s.criticality })),
  };
}

/** The incidents, requests, problems and changes linked to a CI, newest link first. */
export interface CiRecords {
  readonly items: readonly {
    readonly kind: LinkableKind;
    readonly id: string;
    readonly number: string;
    readonly linkedAt: string;
  }[];
}

/** What records name a CI (the CI page's "related records"): one Query per kind, CMDB readers only. */
export async function ciRecords(deps: RecordCiDeps, actor: Actor, ciId: string): Promise<CiRecords> {
  requireCmdbReader(actor);
  if (!(await deps.cmdb.cis.get(ciId))) throw new NotFoundError(`No configuration item ${ciId}`);
  const kinds = LinkableKind.options;
  const links = (await Promise.all(kinds.map((kind) => deps.links.recordsOf(ciId, kind)))).flat();
  const items = links
    .map((link) => {
      const record = link.target.kind === 'configuration_item' ? link.source : link.target;
      return {
        kind: record.kind as LinkableKind,
        id: record.id,
        number: record.number,
        linkedAt: link.createdAt,
      };
    })
    .sort((a, b) => b.linkedAt.localeCompare(a.linkedAt));
  return { items };
}
