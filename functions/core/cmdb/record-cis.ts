import * as z from 'zod';
import type { RecordCiStore } from '#ports/record-ci-store.ts';
import type { Actor } from '../identity/actor.ts';
import { linkedEvent } from '../record/audit.ts';
import type { RecordRef, StoredLink } from '../record/record.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { ConfigurationItem } from './ci.ts';
import { type CmdbDeps, mayReadCmdb } from './cmdb-service.ts';

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
