import { ConflictError } from '#core/shared/errors.ts';
import type { Article, AuditEntry } from '#core/ticket/article.ts';
import { FIRST_SEQUENCE, formatTicketNumber, type Ticket } from '#core/ticket/ticket.ts';
import type { TicketStore } from '#ports/ticket-store.ts';

/**
 * The `TicketStore` port in memory, for property tests of the core that run thousands of
 * sequences; the DynamoDB adapter is held to the same behaviour by the integration tests.
 */
export function memoryTicketStore(): TicketStore & { audit: AuditEntry[] } {
  const tickets = new Map<string, Ticket>();
  const articles = new Map<string, Article[]>();
  const audit: AuditEntry[] = [];
  let sequence = FIRST_SEQUENCE - 1;
  const unsupported = () => {
    throw new Error('not needed by these tests');
  };
  return {
    audit,
    async create({ ticket, firstArticle, audit: entries }, kind) {
      const stored = { ...ticket, number: formatTicketNumber(kind, ++sequence) } as Ticket;
      tickets.set(stored.id, stored);
      articles.set(stored.id, [firstArticle]);
      audit.push(...entries.map((e) => ({ ...e, ticketId: stored.id })));
      return { ticket: stored, created: true };
    },
    async get(id) {
      const ticket = tickets.get(id);
      return ticket ? { ticket, articles: articles.get(id) ?? [], children: [] } : undefined;
    },
    async update({ ticket, expectedVersion, audit: entries, articles: added }) {
      const current = tickets.get(ticket.id);
      if (!current || current.version !== expectedVersion) throw new ConflictError('stale', current);
      tickets.set(ticket.id, ticket);
      articles.get(ticket.id)?.push(...(added ?? []));
      audit.push(...entries.map((e) => ({ ...e, ticketId: ticket.id })));
      return { ticket, applied: true };
    },
    list: unsupported,
    findByNumber: unsupported,
    history: unsupported,
    dueForAutoClose: async () => [],
  };
}
