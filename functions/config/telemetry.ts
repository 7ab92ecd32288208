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
 * Counts tickets where they are made, at the store, whichever channel made them (portal, API,
 * mail): a replayed create (same idempotency key) is not counted twice. The new ticket's number
 * becomes a correlation key of the invocation's log lines.
 */
export function countingTicketCreates(store: TicketStore, telemetry: Telemetry): TicketStore {
  const create: TicketStore['create'] = async (newTicket, kind) => {
    const result = await store.create(newTicket, kind);
    telemetry.correlate({ ticketNumber: result.ticket.number });
    if (result.created) telemetry.count('TicketsCreated');
    return result;
  };
  // A proxy rather than a copy: the store's methods keep their own `this` (private fields).
  return new Proxy(store, {
    get(target, property) {
      if (property === 'create') return create;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
