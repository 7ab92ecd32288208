import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import { normalizeEmail } from '#core/identity/actor.ts';
import type { KnowledgeArticle } from '#core/knowledge/knowledge.ts';
import {
  type IndexChange,
  keyOf,
  SEARCH_TEXT_MAX,
  type SearchDocument,
} from '#core/search/search-document.ts';
import type { Ticket } from '#core/ticket/ticket.ts';
import { NO_GROUP, ticketEntity } from './entities.ts';
import { knowledgeEntity } from './knowledge-entities.ts';

/**
 * What the search index follows of the table's stream: ticket and knowledge records (their
 * `#TICKET` / `#KB` items), as search documents. Everything else on the stream is no change.
 */
export interface StreamRecord {
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined;
  readonly dynamodb?: {
    readonly NewImage?: Record<string, LambdaAttributeValue> | undefined;
    readonly OldImage?: Record<string, LambdaAttributeValue> | undefined;
  };
}

/** The sort keys of the items the index follows: the stream's filter names the same. */
export const INDEXED_SORT_KEYS = ['#TICKET', '#KB'] as const;

export const ticketDocument = (ticket: Ticket): SearchDocument => ({
  key: keyOf('ticket', ticket.id),
  kind: 'ticket',
  id: ticket.id,
  number: ticket.number,
  title: ticket.shortDescription,
  text: ticket.description.slice(0, SEARCH_TEXT_MAX),
  state: ticket.state,
  group: ticket.assignmentGroup ?? NO_GROUP,
  people: [...new Set([ticket.requester.email, ...ticket.watchers].map(normalizeEmail))],
  ...(ticket.assignee ? { assignee: normalizeEmail(ticket.assignee.email) } : {}),
  services: ticket.service ? [ticket.service] : [],
  ...(ticket.category ? { category: ticket.category } : {}),
  updatedAt: ticket.updatedAt,
});

export const knowledgeDocument = (article: KnowledgeArticle): SearchDocument => ({
  key: keyOf('knowledge', article.id),
  kind: 'knowledge',
  id: article.id,
  number: article.number,
  title: article.title,
  text: article.text.slice(0, SEARCH_TEXT_MAX),
  state: article.state,
  people: [],
  audience: article.audience,
  services: article.services,
  ...(article.category ? { category: article.category } : {}),
  updatedAt: article.updatedAt,
});

/** The index change a stream record makes, or none for items the index does not follow. */
export function indexChangeOf(record: StreamRecord): IndexChange | undefined {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  if (!image) return undefined;
  const item = unmarshall(image as never) as Record<string, unknown>;
  const kind = ticketEntity.is(item) ? 'ticket' : knowledgeEntity.is(item) ? 'knowledge' : undefined;
  if (!kind) return undefined;
  if (record.eventName === 'REMOVE') return { op: 'remove', key: keyOf(kind, String(item.id)) };
  return {
    op: 'put',
    document:
      kind === 'ticket'
        ? ticketDocument(ticketEntity.parse(item))
        : knowledgeDocument(knowledgeEntity.parse(item)),
  };
}
