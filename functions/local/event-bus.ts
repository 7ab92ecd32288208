import type { DomainEvent, DomainEventPublisher } from '#ports/domain-events.ts';

export type DomainEventListener = (event: DomainEvent) => void | Promise<void>;

/**
 * The local EventBridge: delivers each published event to in-process subscribers, after
 * the write that caused it, and keeps the most recent ones for inspection.
 */
export function createLocalEventBus(keep = 200) {
  const listeners = new Set<DomainEventListener>();
  const recent: DomainEvent[] = [];
  const publisher: DomainEventPublisher = {
    async publish(events) {
      for (const event of events) {
        recent.push(event);
        if (recent.length > keep) recent.shift();
        for (const listener of listeners) {
          try {
            await listener(event);
          } catch (error) {
            console.error(`[events] a subscriber of ${event.type} failed: ${(error as Error).message}`);
          }
        }
      }
    },
  };
  return {
    publisher,
    recent: (): readonly DomainEvent[] => recent,
    subscribe(listener: DomainEventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
