/**
 * Domain events leave the core through this port: EventBridge in AWS, an in-process bus
 * locally. Publishing happens after the write that caused the event has been stored.
 */
export interface DomainEvent {
  readonly type:
    | 'ticket.created'
    | 'ticket.updated'
    | 'article.added'
    | 'mail.quarantined'
    | 'mail.release_requested'
    | 'mail.released'
    | 'change.created'
    | 'change.updated'
    | 'problem.created'
    | 'problem.updated'
    | 'problem.suggested'
    | 'record.linked'
    | 'knowledge.created'
    | 'knowledge.updated';
  readonly id: string;
  readonly at: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface DomainEventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
