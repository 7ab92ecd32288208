import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';

/**
 * Writes domain events as structured log lines. It stands in until the ticket engine puts
 * them on EventBridge; locally the in-process bus wraps it.
 */
export const logEventPublisher: DomainEventPublisher = {
  async publish(events: readonly DomainEvent[]) {
    for (const event of events)
      console.log(JSON.stringify({ level: 'INFO', message: 'domain event', event }));
  },
};
