import { FIRST_SEQUENCE, formatRecordNumber, type StoredLink } from '#core/record/record.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { Article, AuditEntry } from '#core/ticket/article.ts';
import { activeStates, Ticket } from '#core/ticket/ticket.ts';
import type { Page, TicketList, TicketStore } from '#ports/ticket-store.ts';

/**
 * The `TicketStore` port in memory, for property tests of the core that run thousands of
 * sequences. `test/support/ticket-store-contract.ts` holds it and the DynamoDB store to the
 * same behaviour, so this fake cannot drift from the real one.
 */
export function memoryTicketStore(): TicketStore & { audit: AuditEntry[] } {
  const tickets = new Map<string, Ticket>();
  const articles = new Map<string, Article[]>();
  const children = new Map<string, Map<string, { id: string; number: string }>>();
  const autoClose = new Map<string, string>();
  const keys = new Map<string, string>();
  const audit: AuditEntry[] = [];
  const links: StoredLink[] = [];
  const sequences = new Map<string, number>();

  const page = <T>(all: readonly T[], limit: number, cursor: string | undefined): Page<T> => {
    const start = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start < 0) throw new Error('Invalid cursor');
    const items = all.slice(start, start + limit);
    return { items, ...(start + limit < all.length ? { cursor: String(start + limit) } : {}) };
  };
  const inList = (list: TicketList, t: Ticket) => {
    switch (list.by) {
      case 'requester':
        return t.requester.email === list.email;
      case 'assignee':
        return t.assignee?.email === list.email;
      case 'queue':
        return (t.assignmentGroup ?? '-') === list.group && t.state === list.state;
      case 'unassigned':
        return !t.assignee && activeStates.includes(t.state) && (t.assignmentGroup ?? '-') === list.group;
    }
  };
  const linkChild = (ticket: Ticket, previousParentId: string | undefined) => {
    if (previousParentId) children.get(previousParentId)?.delete(ticket.id);
    if (ticket.parentId) {
      const list = children.get(ticket.parentId) ?? new Map();
      list.set(ticket.id, { id: ticket.id, number: ticket.number });
      children.set(ticket.parentId, list);
    }
  };

  return {
    audit,
    async create({ ticket, firstArticle, audit: entries, idempotencyKey }, kind) {
      const sequence = (sequences.get(kind) ?? FIRST_SEQUENCE - 1) + 1;
      sequences.set(kind, sequence);
      const first = idempotencyKey ? keys.get(idempotencyKey) : undefined;
      if (first) return { ticket: tickets.get(first) as Ticket, created: false };
      const stored = Ticket.parse({ ...ticket, number: formatRecordNumber(kind, sequence) });
      tickets.set(stored.id, stored);
      articles.set(stored.id, [firstArticle]);
      audit.push(...entries.map((e) => ({ ...e, ticketId: stored.id })));
      linkChild(stored, undefined);
      if (idempotencyKey) keys.set(idempotencyKey, stored.id);
      return { ticket: stored, created: true };
    },
    async get(id) {
      const ticket = tickets.get(id);
      if (!ticket) return undefined;
      return {
        ticket,
        articles: [...(articles.get(id) ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
        children: [...(children.get(id)?.values() ?? [])],
      };
    },
    async update(change) {
      const ticket = Ticket.parse(change.ticket);
      if (change.idempotencyKey && keys.has(change.idempotencyKey))
        return { ticket: tickets.get(ticket.id) as Ticket, applied: false };
      const current = tickets.get(ticket.id);
      if (!current || current.version !== change.expectedVersion)
        throw new ConflictError(`Ticket ${ticket.number} was changed by someone else`, current);
      tickets.set(ticket.id, ticket);
      articles.get(ticket.id)?.push(...(change.articles ?? []));
      audit.push(...change.audit.map((e) => ({ ...e, ticketId: ticket.id })));
      links.push(...(change.links ?? []));
      if (change.previousParentId !== ticket.parentId) linkChild(ticket, change.previousParentId);
      if (ticket.state === 'resolved' && change.autoCloseAt) autoClose.set(ticket.id, change.autoCloseAt);
      else autoClose.delete(ticket.id);
      if (change.idempotencyKey) keys.set(change.idempotencyKey, ticket.id);
      return { ticket, applied: true };
    },
    async updateTogether(changes) {
      for (const change of changes) {
        const current = tickets.get(change.ticket.id);
        if (!current || current.version !== change.expectedVersion)
          throw new ConflictError(`Ticket ${change.ticket.number} was changed by someone else`, current);
      }
      const saved: Ticket[] = [];
      for (const change of changes) saved.push((await this.update(change)).ticket);
      return saved;
    },
    async list(list, request) {
      const order = (a: Ticket, b: Ticket) =>
        `${a.updatedAt}#${a.id}`.localeCompare(`${b.updatedAt}#${b.id}`);
      const all = [...tickets.values()].filter((t) => inList(list, t)).sort(order);
      if (!request.oldestFirst) all.reverse();
      const listed = page(all, request.limit, request.cursor);
      return {
        ...listed,
        items: listed.items.filter(
          (t) =>
            (request.priority === undefined || t.priority === request.priority) &&
            (request.state === undefined || t.state === request.state) &&
            (request.assignee === undefined || t.assignee?.email === request.assignee),
        ),
      };
    },
    async findByNumber(number) {
      return [...tickets.values()].find((t) => t.number === number);
    },
    async history(id, request) {
      return page(
        audit.filter((e) => e.ticketId === id),
        request.limit,
        request.cursor,
      );
    },
    async dueForAutoClose(before, limit) {
      return [...autoClose.entries()]
        .filter(([, at]) => at < before)
        .sort(([, a], [, b]) => a.localeCompare(b))
        .slice(0, limit)
        .map(([id]) => tickets.get(id) as Ticket);
    },
  };
}
