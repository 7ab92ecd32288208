import { describe, expect, it } from 'vitest';
import { canViewTicket, visibleArticles } from '#core/ticket/access.ts';
import type { Article } from '#core/ticket/article.ts';
import { defaultPriorityMatrix, priorityOf } from '#core/ticket/priority.ts';
import { formatTicketNumber, type Ticket, TicketNumber } from '#core/ticket/ticket.ts';
import { OpenTicketInput } from '#core/ticket/ticket-service.ts';

describe('priority from impact and urgency', () => {
  it('follows the ITIL matrix by default: P1 for high/high, P5 for low/low', () => {
    expect(priorityOf(1, 1)).toBe(1);
    expect(priorityOf(1, 3)).toBe(3);
    expect(priorityOf(2, 2)).toBe(3);
    expect(priorityOf(3, 3)).toBe(5);
  });

  it('uses a configured matrix when given one', () => {
    const strict = [
      [1, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
    ] as const;
    expect(priorityOf(2, 1, strict)).toBe(1);
    expect(priorityOf(3, 3, strict)).toBe(4);
    expect(priorityOf(3, 3, defaultPriorityMatrix)).toBe(5);
  });
});

describe('ticket numbers', () => {
  it('are a kind prefix and seven digits', () => {
    expect(formatTicketNumber('incident', 1001)).toBe('INC0001001');
    expect(formatTicketNumber('request', 1234567)).toBe('REQ1234567');
    expect(TicketNumber.safeParse('INC0001042').success).toBe(true);
    expect(TicketNumber.safeParse('INC42').success).toBe(false);
  });
});

describe('opening a ticket: input', () => {
  it('fills defaults and trims the short description', () => {
    expect(OpenTicketInput.parse({ shortDescription: '  Printer jam  ' })).toEqual({
      kind: 'incident',
      shortDescription: 'Printer jam',
      description: '',
      impact: 3,
      urgency: 3,
      watchers: [],
      tags: [],
    });
  });

  it('refuses unknown fields, empty and over-long text, and impact outside 1–3', () => {
    const result = OpenTicketInput.safeParse({ shortDescription: ' ', impact: 4, state: 'closed' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.') || i.code).sort();
    expect(paths).toEqual(['impact', 'shortDescription', 'unrecognized_keys']);
    expect(OpenTicketInput.safeParse({ shortDescription: 'x'.repeat(161) }).success).toBe(false);
  });
});

describe('who sees a ticket', () => {
  const ticket = {
    requester: { id: 'u1', email: 'emma@example.com' },
    watchers: ['walt@example.com'],
    assignmentGroup: 'network',
  } as Ticket;
  const viewer = (email: string, roles: string[] = [], groups: string[] = []) => ({
    actor: { id: email, email, groups: roles },
    groups,
  });
  const emma = viewer('Emma@Example.com');
  const walt = viewer('walt@example.com');
  const bob = viewer('bob@example.com', ['approvers']);
  const networkAgent = viewer('nick@example.com', ['agents'], ['network']);
  const deskAgent = viewer('dana@example.com', ['agents'], ['service-desk']);
  const admin = viewer('admin@example.com', ['admins']);

  it('is the requester (any case), watchers, the group’s agents and admins — nobody else', () => {
    expect(canViewTicket(emma, ticket, 'groups')).toBe(true);
    expect(canViewTicket(walt, ticket, 'groups')).toBe(true);
    expect(canViewTicket(networkAgent, ticket, 'groups')).toBe(true);
    expect(canViewTicket(admin, ticket, 'groups')).toBe(true);
    expect(canViewTicket(deskAgent, ticket, 'groups')).toBe(false);
    expect(canViewTicket(bob, ticket, 'groups')).toBe(false);
  });

  it('opens every ticket to every agent when visibility is "all", and unrouted tickets to all agents anyway', () => {
    expect(canViewTicket(deskAgent, ticket, 'all')).toBe(true);
    expect(canViewTicket(deskAgent, { ...ticket, assignmentGroup: undefined } as Ticket, 'groups')).toBe(
      true,
    );
    expect(canViewTicket(bob, ticket, 'all')).toBe(false);
  });

  it('never shows internal work notes to the requester or watchers', () => {
    const articles = [
      { id: 'a1', type: 'reply' },
      { id: 'a2', type: 'note' },
      { id: 'a3', type: 'system' },
    ] as Article[];
    expect(visibleArticles(emma, ticket, articles, 'groups').map((a) => a.id)).toEqual(['a1', 'a3']);
    expect(visibleArticles(walt, ticket, articles, 'all').map((a) => a.id)).toEqual(['a1', 'a3']);
    expect(visibleArticles(networkAgent, ticket, articles, 'groups').map((a) => a.id)).toEqual([
      'a1',
      'a2',
      'a3',
    ]);
  });
});

describe('a configured priority matrix', () => {
  it('is read row by row from the PRIORITY_MATRIX setting', async () => {
    const { priorityMatrixOf } = await import('#config/composition-root.ts');
    const strict = priorityMatrixOf('112123234');
    expect(priorityOf(1, 2, strict)).toBe(1);
    expect(priorityOf(3, 3, strict)).toBe(4);
    expect(priorityMatrixOf('123234345')).toEqual(defaultPriorityMatrix);
  });
});
