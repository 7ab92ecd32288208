import * as z from 'zod';
import { type Actor, isAdmin } from '#core/identity/actor.ts';
import { QuarantinedMail } from '#core/mail/quarantine.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#core/shared/errors.ts';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

export interface QuarantineDeps {
  readonly quarantine: QuarantineStore;
  readonly events: DomainEventPublisher;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

const ListQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const QuarantineId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w-]+$/, 'letters, digits, _ and - only');
const tags = ['Quarantine'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const requireAdmin = (actor: Actor) => {
  if (!isAdmin(actor)) throw new ForbiddenError('Only admins see and release quarantined mail');
  return actor;
};

/**
 * Quarantined mail, for admins only: the list, newest first, and the release into the ticket
 * flow. The release itself runs in the inbound-mail function (it reads the raw message), so the
 * API asks for it with an event and answers 202.
 */
export function quarantineRoutes(deps: QuarantineDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/quarantine',
      docs: {
        summary: 'Quarantined mail, newest first (admins)',
        tags,
        query: ListQuery,
        responses: {
          200: z.object({ items: z.array(QuarantinedMail), cursor: z.string().optional() }),
          ...errors,
        },
      },
      async handle({ event }) {
        requireAdmin(actorFromEvent(event));
        const { cursor } = ListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await deps.quarantine.list({ limit: 50, ...(cursor ? { cursor } : {}) }));
      },
    },
    {
      method: 'POST',
      path: '/api/quarantine/{id}/release',
      docs: {
        summary:
          'Release a quarantined message into the ticket flow (admins); it is processed asynchronously',
        tags,
        responses: {
          202: z.object({ status: z.literal('release-requested'), quarantineId: z.string() }),
          ...errors,
          409: ErrorBody,
        },
      },
      async handle({ event, params }) {
        const actor = requireAdmin(actorFromEvent(event));
        const id = QuarantineId.parse(params.id);
        const entry = await deps.quarantine.get(id);
        if (!entry) throw new NotFoundError(`No quarantined message ${id}`);
        if (entry.discarded) throw new ConflictError(`Quarantined message ${id} was discarded`, entry);
        if (entry.released) throw new ConflictError(`Quarantined message ${id} was released already`, entry);
        await deps.events.publish([
          {
            type: 'mail.release_requested',
            id: deps.ids.next(),
            at: deps.clock.now().toISOString(),
            detail: { quarantineId: id, by: actor.email },
          },
        ]);
        return json(202, { status: 'release-requested', quarantineId: id });
      },
    },
    {
      method: 'POST',
      path: '/api/quarantine/{id}/discard',
      docs: {
        summary:
          'Discard a quarantined message (admins): it stays listed as discarded and can no longer be released',
        tags,
        responses: { 200: QuarantinedMail, ...errors, 409: ErrorBody },
      },
      async handle({ event, params }) {
        const actor = requireAdmin(actorFromEvent(event));
        const id = QuarantineId.parse(params.id);
        const entry = await deps.quarantine.get(id);
        if (!entry) throw new NotFoundError(`No quarantined message ${id}`);
        if (entry.released) throw new ConflictError(`Quarantined message ${id} was released already`, entry);
        if (entry.discarded) return json(200, entry);
        const discarded = { ...entry, discarded: { at: deps.clock.now().toISOString(), by: actor.email } };
        await deps.quarantine.put(discarded);
        return json(200, discarded);
      },
    },
  ];
}
