import { describe, expect, it } from 'vitest';
import { acknowledgementMail, SUGGESTION_WAIT_MS, suggestionsFor } from '#channels/email/acknowledgement.ts';
import { suggestFromDigest } from '#core/search/article-digest.ts';
import type { SearchDocument } from '#core/search/search-document.ts';
import { ShardedSearchIndex } from '#core/search/search-index.ts';
import { digestOf, KNOWLEDGE_SHARDS, kindOfChange } from '#core/search/search-indexes.ts';
import type { Ticket } from '#core/ticket/ticket.ts';

const article = (id: string, title: string, extra: Partial<SearchDocument> = {}): SearchDocument => ({
  key: `knowledge:${id}`,
  kind: 'knowledge',
  id,
  number: `KB000${id}`,
  title,
  text: `${title}. Step by step.`,
  state: 'published',
  audience: 'employees',
  people: [],
  services: [],
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

describe('article suggestions for a new ticket, from the digest the indexer writes', () => {
  const index = new ShardedSearchIndex(KNOWLEDGE_SHARDS);
  index.apply(
    [
      article('1001', 'Reset a locked VPN token'),
      article('1002', 'Rotate the VPN pre-shared key', { audience: 'agents' }),
      article('1003', 'VPN token draft', { state: 'draft' }),
      article('1004', 'Unlock your Windows account'),
      article('1005', 'Old VPN client', { state: 'retired' }),
    ].map((document) => ({ op: 'put' as const, document })),
  );

  it('suggests only published articles for employees, matching any telling word of the subject', () => {
    const found = suggestFromDigest(digestOf(index), 'Please help: my VPN token is locked since Monday');

    expect(found.map((a) => a.number)).toEqual(['KB0001001']);
  });

  it('suggests nothing for a subject of common words only, and at most three', () => {
    const many = new ShardedSearchIndex(1);
    many.apply(
      ['a', 'b', 'c', 'd', 'e'].map((id) => ({
        op: 'put' as const,
        document: article(id, `Printer ${id} jams`),
      })),
    );

    expect(suggestFromDigest(digestOf(index), 'Please help urgent')).toEqual([]);
    expect(suggestFromDigest(digestOf(many), 'printer jams').length).toBe(3);
  });

  it('ranks an article sharing a title word above one sharing a word of its text', () => {
    const ranked = new ShardedSearchIndex(1);
    ranked.apply([
      {
        op: 'put',
        document: article('t', 'Outlook asks for the password', { text: 'Open Outlook settings.' }),
      },
      {
        op: 'put',
        document: article('x', 'Mailbox full', { text: 'Delete old mail; the password is not needed.' }),
      },
    ]);

    expect(suggestFromDigest(digestOf(ranked), 'password prompt').map((a) => a.id)).toEqual(['t', 'x']);
    expect(digestOf(ranked).articles.find((a) => a.id === 't')?.titleWords).toEqual([
      'outlook',
      'asks',
      'for',
      'the',
      'password',
    ]);
  });

  it('routes a removal to the index of its kind by its key', () => {
    expect(kindOfChange({ op: 'remove', key: 'knowledge:01X' })).toBe('knowledge');
    expect(kindOfChange({ op: 'remove', key: 'ticket:01X' })).toBe('ticket');
  });
});

describe('the acknowledgement of a mailed-in ticket', () => {
  const ticket = { id: 't1', number: 'INC0001042', shortDescription: 'VPN token locked' } as Ticket;
  const options = {
    ticket,
    to: 'emma@example.com',
    supportAddress: 'support@spoke.example',
    portalUrl: 'https://portal.example/',
    inReplyTo: '<m1@example.com>',
  };

  it('lists the suggested articles with their portal links, and no list when there are none', () => {
    const withArticles = acknowledgementMail({
      ...options,
      articles: [{ id: 'k1', number: 'KB0001001', title: 'Reset a locked VPN token' }],
    });
    const without = acknowledgementMail({ ...options, articles: [] });

    expect(withArticles.text).toContain(
      'These articles may answer it already:\n- KB0001001 Reset a locked VPN token: https://portal.example/knowledge/k1?from=suggestion',
    );
    expect(without.text).not.toContain('These articles');
    expect(without).toMatchObject({
      subject: '[INC0001042] VPN token locked',
      automatic: true,
      inReplyTo: '<m1@example.com>',
    });
  });

  it('goes without suggestions when the search fails or is slow, and keeps three at most', async () => {
    const failing = await suggestionsFor(async () => {
      throw new Error('S3 down');
    }, 'vpn');
    const started = Date.now();
    const slow = await suggestionsFor(() => new Promise(() => undefined), 'vpn');
    const four = await suggestionsFor(
      async () => ['1', '2', '3', '4'].map((id) => ({ id, number: `KB000100${id}`, title: id })),
      'vpn',
    );

    expect(failing).toEqual([]);
    expect(slow).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SUGGESTION_WAIT_MS - 50);
    expect(four.map((a) => a.id)).toEqual(['1', '2', '3']);
  });
});
