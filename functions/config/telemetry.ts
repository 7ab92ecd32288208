import type { InvocationContext, Telemetry } from '#ports/telemetry.ts';
import type { TicketStore } from '#ports/ticket-store.ts';

/**
 * A Lambda handler run as one telemetry invocation: request id on every log line, errors
 * logged and counted, metrics published. The local cloud calls handlers without a context.
 */
export function instrumented<Event, Result, Context extends InvocationContext = InvocationContext>(
  telemetry: Telemetry,
  handler: (event: Event, context: Context) => Promise<Result>,
): (event: Event, context?: Context) => Promise<Result> {
  return (event, context) => telemetry.invocation(context, () => handler(event, context as Context));
}

/**
 * The ticket store, observed: tickets are counted where they are made, whichever channel made
 * them (portal, API, mail), and a replayed create (same idempotency key) is not counted twice;
 * the number of the ticket an invocation creates, reads or changes becomes a correlation key of
 * its log lines.
 */
export function observedTicketStore(store: TicketStore, telemetry: Telemetry): TicketStore {
  const observed: Partial<TicketStore> = {
    async create(newTicket, kind) {
      const result = await store.create(newTicket, kind);
      telemetry.correlate({ ticketNumber: result.ticket.number });
      if (result.created) telemetry.count('TicketsCreated');
      return result;
    },
    async get(id) {
      const found = await store.get(id);
      if (found) telemetry.correlate({ ticketNumber: found.ticket.number });
      return found;
    },
    async update(change) {
      const result = await store.update(change);
      telemetry.correlate({ ticketNumber: result.ticket.number });
      return result;
    },
  };
  // A proxy rather than a copy: the store's other methods keep their own `this` (private fields).
  return new Proxy(store, {
    get(target, property) {
      if (typeof property === 'string' && property in observed)
        return observed[property as keyof TicketStore];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
