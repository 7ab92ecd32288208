import type { Level } from '#core/ticket/priority.ts';
import type { Channel } from '#core/ticket/ticket.ts';

/** What routing looks at when a ticket arrives. */
export interface RoutingInput {
  readonly category?: string;
  readonly service?: string;
  readonly shortDescription: string;
  readonly description: string;
  readonly requesterEmail: string;
  readonly channel: Channel;
}

/** What routing decides: the group, and optionally impact and urgency (and so the priority). */
export interface RoutingDecision {
  readonly group?: string;
  readonly impact?: Level;
  readonly urgency?: Level;
  /** The rule that matched, for the audit trail. */
  readonly ruleId?: string;
}

export interface RoutingPolicy {
  route(input: RoutingInput): Promise<RoutingDecision>;
}
