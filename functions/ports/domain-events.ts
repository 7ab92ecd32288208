/**
 * Domain events leave the core through this port: EventBridge in AWS, an in-process bus
 * locally. Publishing happens after the write that caused the event has been stored.
 */
export interface DomainEvent {
  readonly type:
    | 'ticket.created'
    | 'ticket.updated'
    | 'ticket.rated'
    | 'article.added'
    | 'mail.quarantined'
    | 'mail.release_requested'
    | 'mail.released'
    | 'change.created'
    | 'change.updated'
    | 'problem.created'
    | 'problem.updated'
    | 'release.created'
    | 'release.updated'
    | 'ci.created'
    | 'ci.updated'
    | 'ci.retired'
    | 'ci.related'
    | 'ci.unrelated'
    | 'asset_import.requested'
    | 'service.status_changed'
    | 'problem.suggested'
    | 'record.linked'
    | 'sla.started'
    | 'sla.paused'
    | 'sla.resumed'
    | 'sla.retargeted'
    | 'sla.warning'
    | 'sla.breached'
    | 'sla.met'
    | 'sla.stopped'
    | 'sla.reopened'
    | 'sla.rearm_requested'
    | 'request.submitted'
    | 'request.approved'
    | 'request.rejected'
    | 'request.fulfilled'
    | 'request.cancelled'
    | 'task.created'
    | 'task.updated'
    | 'knowledge.created'
    | 'knowledge.updated'
    | 'knowledge.feedback'
    | 'knowledge.suggestion_opened';
  readonly id: string;
  readonly at: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface DomainEventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
