import * as z from 'zod';
import { Person } from './ticket.ts';

/**
 * An entry in a ticket's conversation. A `note` is an internal work note: never shown to
 * the requester and never mailed to them; a `system` entry records what Spoke did.
 */
/** Sanitized HTML larger than this is not stored (the plain text always is): DynamoDB items hold 400 KB. */
export const MAX_ARTICLE_HTML = 150_000;

export const ArticleType = z.enum(['reply', 'note', 'system']);
export type ArticleType = z.infer<typeof ArticleType>;

export const Article = z.object({
  id: z.string().min(1).max(64),
  ticketId: z.string().min(1).max(64),
  type: ArticleType,
  author: Person.partial({ id: true }),
  body: z.string().max(100_000),
  channel: z.enum(['portal', 'email', 'api', 'system']),
  /** For mail: the Message-ID, so threading and idempotency can find it. */
  messageId: z.string().max(998).optional(),
  /** For mail: the quoted history below the new part of a reply, kept and shown collapsed. */
  quoted: z.string().max(100_000).optional(),
  /** For mail: the HTML body, sanitized before it was stored; `body` is always its plain text. */
  html: z.string().max(MAX_ARTICLE_HTML).optional(),
  /**
   * For large mail: the article holds excerpts, and the whole text, quoted history and HTML
   * are kept under this key (`GET /api/tickets/{id}/articles/{articleId}/full-body`).
   */
  fullBodyKey: z.string().max(1024).optional(),
  /** For mail that a robot sent (an auto-reply, a bounce): why it counts as automatic. */
  automatic: z.string().max(200).optional(),
  createdAt: z.iso.datetime(),
});
export type Article = z.infer<typeof Article>;

/** An immutable record of one field change: who, when, which field, from what, to what. */
export const AuditEntry = z.object({
  ticketId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: z.object({ id: z.string(), email: z.string() }),
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  /** Why, when the change was not a person's edit: the routing rule, the auto-close, the caller's reply. */
  reason: z.string().max(200).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
