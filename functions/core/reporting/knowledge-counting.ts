import type { Count } from './counters.ts';
import { type CountContext, mappingOf, type RecordFacts } from './facts.ts';

/**
 * Counting self-service from the knowledge events: an article opened from the suggestions
 * shown while someone wrote a ticket (`knowledge.suggestion_opened`), and the "did this help?"
 * answers (`knowledge.feedback`). A "yes" is a question answered without a ticket: a
 * **deflection**. Deflection rate = deflected / (deflected + tickets opened).
 *
 * Articles have no group, service or channel: these count under the whole desk (`all`) only.
 */

const articleFacts = (at: string): RecordFacts => ({
  kind: 'article',
  openedAt: at,
  state: 'published',
  open: false,
  transferred: false,
  held: false,
  reopens: 0,
  serviceCounted: false,
  knownError: false,
  version: 0,
});

const countOnce =
  (add: (context: CountContext) => Record<string, number>) =>
  (context: CountContext): { facts: RecordFacts; counts: Count[] } => ({
    facts: context.facts ?? articleFacts(context.event.at),
    counts: [{ day: context.dayOf(context.event.at), dims: {}, add: add(context) }],
  });

export const knowledgeFeedback = mappingOf(
  'articleId',
  countOnce(({ event }) => ({ [event.detail.helpful === true ? 'kbDeflected' : 'kbNotHelpful']: 1 })),
);
export const suggestionOpened = mappingOf(
  'articleId',
  countOnce(() => ({ kbSuggestionOpened: 1 })),
);
