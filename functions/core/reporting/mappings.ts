import type { DomainEvent } from '#ports/domain-events.ts';
import {
  changeCreatedMapping,
  changeUpdatedMapping,
  problemCreatedMapping,
  problemUpdatedMapping,
} from './change-counting.ts';
import type { CounterMapping } from './facts.ts';
import { knowledgeFeedback, suggestionOpened } from './knowledge-counting.ts';
import { ticketRated } from './satisfaction-counting.ts';
import { slaMapping } from './sla-counting.ts';
import { ticketCreated, ticketUpdated } from './ticket-counting.ts';

/**
 * The seam: which event types reporting counts, and how. A new event kind (`sla.met`,
 * `article.viewed`, `catalog.fulfilled`, …) plugs in with one entry here — a mapping that names
 * the record the event is about and returns the numbers to add — and its type in the event
 * rule follows from this list. See docs/reporting.md, "Adding an event kind".
 */
export const counterMappings: Readonly<Partial<Record<DomainEvent['type'], CounterMapping>>> = {
  'ticket.created': ticketCreated,
  'ticket.updated': ticketUpdated,
  'ticket.rated': ticketRated,
  'change.created': changeCreatedMapping,
  'change.updated': changeUpdatedMapping,
  'problem.created': problemCreatedMapping,
  'problem.updated': problemUpdatedMapping,
  'sla.met': slaMapping,
  'sla.breached': slaMapping,
  'sla.stopped': slaMapping,
  'sla.reopened': slaMapping,
  'knowledge.feedback': knowledgeFeedback,
  'knowledge.suggestion_opened': suggestionOpened,
};

/** The event types the reporting rule subscribes to. */
export const countedEvents = Object.keys(counterMappings) as DomainEvent['type'][];
