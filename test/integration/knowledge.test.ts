import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoKnowledgeStore } from '#adapters/dynamodb/knowledge-store.dynamo.ts';
import { ulids } from '#adapters/system/system.ts';
import { knowledgeBody } from '#channels/web/rich-text.ts';
import type { Actor } from '#core/identity/actor.ts';
import {
  articleFeedback,
  articleFiles,
  articleHistory,
  createArticle,
  draftFromTicket,
  findArticleByNumber,
  giveFeedback,
  type KnowledgeDeps,
  listArticles,
  recordSolved,
  recordView,
  revisionDiff,
  type SourceTicket,
  updateArticle,
  viewArticle,
} from '#core/knowledge/knowledge-service.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import { freshTables } from '../support/dynamodb.ts';

/** Knowledge articles on the record engine, against DynamoDB Local. */
const kim: Actor = { id: 'u-kim', email: 'kim.author@example.com', groups: ['agents'] };
const rae: Actor = { id: 'u-rae', email: 'rae.reviewer@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const tickets = new Map<string, SourceTicket>();
let deps: KnowledgeDeps;
const published: DomainEvent[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  deps = {
    knowledge: new DynamoKnowledgeStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    }),
    events: { publish: async (events) => void published.push(...events) },
    clock: { now: () => new Date() },
    ids: ulids,
    sanitize: knowledgeBody,
    ticketOf: async (_actor, id) => {
      const ticket = tickets.get(id);
      if (!ticket) throw new NotFoundError(`No ticket ${id}`);
      return ticket;
    },
  };
});

const publish = async (title: string, audience: 'employees' | 'agents' = 'employees', category?: string) => {
  const draft = await createArticle(deps, kim, {
    title,
    body: `<p>${title}</p>`,
    audience,
    ...(category ? { category } : {}),
  });
  await updateArticle(deps, kim, draft.id, { version: 1, state: 'review' });
  return updateArticle(deps, rae, draft.id, { version: 2, state: 'published' });
};

describe('knowledge articles on the record engine', () => {
  it('numbers an article KB, sanitizes its body as mail is, and keeps each content change as a revision with a diff', async () => {
    const article = await createArticle(deps, kim, {
      title: 'Reset your VPN token',
      body: '<p>Open the app.</p><script>alert(1)</script><img src="x" onerror="alert(2)"><p>Press reset.</p>',
      category: 'Network',
    });
    const edited = await updateArticle(deps, kim, article.id, {
      version: 1,
      body: '<p>Open the app.</p><p>Press <b>reset</b> twice.</p><p>Wait a minute.</p>',
    });
    const diff = await revisionDiff(deps, kim, article.id, 1, 2);

    expect(article.number).toMatch(/^KB\d{7}$/);
    expect(article.body).not.toMatch(/script|onerror|alert/);
    expect(article.text).toContain('Press reset.');
    expect(edited).toMatchObject({ revision: 2, version: 2 });
    expect(diff.lines).toEqual([
      { op: 'same', text: 'Open the app.' },
      { op: 'same', text: '' },
      { op: 'removed', text: 'Press reset.' },
      { op: 'added', text: 'Press reset twice.' },
      { op: 'added', text: '' },
      { op: 'added', text: 'Wait a minute.' },
    ]);
    expect((await findArticleByNumber(deps, kim, article.number.toLowerCase())).article.id).toBe(article.id);
  });

  it('publishes only through review by an agent other than the author, who is recorded as approver', async () => {
    const article = await createArticle(deps, kim, { title: 'Printer jams on floor 3' });
    const inReview = await updateArticle(deps, kim, article.id, { version: 1, state: 'review' });
    const selfApproval = await updateArticle(deps, kim, article.id, { version: 2, state: 'published' }).catch(
      (e: unknown) => e,
    );
    const live = await updateArticle(deps, rae, article.id, {
      version: 2,
      state: 'published',
      reviewBy: '2027-01-31',
    });
    const editLive = await updateArticle(deps, kim, article.id, { version: 3, title: 'Printer jams' }).catch(
      (e: unknown) => e,
    );
    const retired = await updateArticle(deps, rae, article.id, { version: 3, state: 'retired' });
    const history = await articleHistory(deps, kim, article.id);

    expect(inReview.state).toBe('review');
    expect(selfApproval).toMatchObject({
      name: 'ValidationError',
      fields: [{ path: 'state', message: expect.stringContaining('approver other than the author') }],
    });
    expect(live).toMatchObject({
      state: 'published',
      approver: { email: rae.email },
      reviewBy: '2027-01-31',
    });
    expect(editLive).toMatchObject({ name: 'ValidationError', fields: [{ path: 'title' }] });
    expect(retired).toMatchObject({ state: 'retired', retiredAt: expect.any(String) });
    expect(history.items.filter((e) => e.field === 'state').map((e) => e.newValue)).toEqual([
      'draft',
      'review',
      'published',
      'retired',
    ]);
    expect(published.filter((e) => e.type === 'knowledge.updated').length).toBeGreaterThanOrEqual(3);
  });

  it('shows employees only published articles for employees, by id, number and in every list they may ask for', async () => {
    const forAll = await publish('Connect to guest Wi-Fi', 'employees', 'Wifi');
    const agentsOnly = await publish('Rotate the Wi-Fi PSK', 'agents', 'Wifi');
    const draft = await createArticle(deps, kim, { title: 'Wi-Fi draft', category: 'Wifi' });

    const seen = await viewArticle(deps, emma, forAll.id);
    const hidden = await Promise.all(
      [agentsOnly.id, draft.id].map((id) => viewArticle(deps, emma, id).catch((e: unknown) => e)),
    );
    const byNumber = await findArticleByNumber(deps, emma, agentsOnly.number).catch((e: unknown) => e);
    const home = await listArticles(deps, emma, {});
    const category = await listArticles(deps, emma, { category: 'Wifi' });
    const askedForDrafts = await listArticles(deps, emma, { state: 'draft' }).catch((e: unknown) => e);
    const askedForAgents = await listArticles(deps, emma, { audience: 'agents' }).catch((e: unknown) => e);
    const agentView = await listArticles(deps, rae, { audience: 'agents' });
    const drafts = await listArticles(deps, rae, { state: 'draft' });

    expect(seen.article.id).toBe(forAll.id);
    expect(hidden.map((e) => (e as Error).name)).toEqual(['NotFoundError', 'NotFoundError']);
    expect((byNumber as Error).name).toBe('NotFoundError');
    for (const list of [home, category]) {
      expect(list.items.map((a) => a.id)).toContain(forAll.id);
      expect(list.items.every((a) => a.state === 'published' && a.audience === 'employees')).toBe(true);
    }
    expect(category.items.map((a) => a.id)).toEqual([forAll.id]);
    expect([(askedForDrafts as Error).name, (askedForAgents as Error).name]).toEqual([
      'ForbiddenError',
      'ForbiddenError',
    ]);
    expect(agentView.items.map((a) => a.id)).toContain(agentsOnly.id);
    expect(drafts.items.map((a) => a.id)).toContain(draft.id);
  });

  it('counts views and suggestion opens atomically under concurrency, and keeps feedback with its comment', async () => {
    const article = await publish('Unlock your account');
    await Promise.all(Array.from({ length: 20 }, () => recordView(deps, emma, article.id, {})));
    await recordView(deps, emma, article.id, { source: 'suggestion' });
    await recordSolved(deps, emma, article.id);
    await giveFeedback(deps, emma, article.id, { helpful: true });
    await giveFeedback(deps, emma, article.id, { helpful: false, comment: 'Step 3 is missing' });
    const notReadable = await giveFeedback(deps, emma, (await createArticle(deps, kim, { title: 'x' })).id, {
      helpful: true,
    }).catch((e: unknown) => e);
    const employeeReadsFeedback = await articleFeedback(deps, emma, article.id).catch((e: unknown) => e);

    const { stats } = await viewArticle(deps, kim, article.id);
    const feedback = await articleFeedback(deps, kim, article.id);

    expect(stats).toEqual({
      articleId: article.id,
      views: 21,
      suggestionOpens: 1,
      helpful: 1,
      notHelpful: 1,
      deflections: 1,
    });
    expect(feedback.items.map((f) => [f.helpful, f.comment])).toEqual([
      [false, 'Step 3 is missing'],
      [true, undefined],
    ]);
    expect((notReadable as Error).name).toBe('NotFoundError');
    expect((employeeReadsFeedback as Error).name).toBe('ForbiddenError');
  });

  it('turns a resolved ticket into a draft article naming its source, and refuses an open one', async () => {
    tickets.set('t-1', {
      id: 't-1',
      number: 'INC0001001',
      state: 'resolved',
      shortDescription: 'Outlook asks for the password again and again',
      description: 'Since Monday <Outlook> keeps asking.',
      resolutionNotes: 'Removed the stale credential from the Windows vault.',
      service: 'Email',
    });
    tickets.set('t-2', { ...(tickets.get('t-1') as SourceTicket), id: 't-2', state: 'in_progress' });

    const draft = await draftFromTicket(deps, kim, 't-1');
    const open = await draftFromTicket(deps, kim, 't-2').catch((e: unknown) => e);
    const byEmployee = await draftFromTicket(deps, emma, 't-1').catch((e: unknown) => e);

    expect(draft).toMatchObject({
      state: 'draft',
      title: 'Outlook asks for the password again and again',
      services: ['Email'],
      sourceTicket: { id: 't-1', number: 'INC0001001' },
    });
    expect(draft.body).toContain('&lt;Outlook&gt;');
    expect(draft.text).toContain('Removed the stale credential');
    expect(open).toMatchObject({ name: 'ValidationError', fields: [{ path: 'ticketId' }] });
    expect((byEmployee as Error).name).toBe('ForbiddenError');
  });

  it('sends an article back to its author only with a comment, which the history keeps on the move', async () => {
    const article = await createArticle(deps, kim, { title: 'Map a network drive' });
    await updateArticle(deps, kim, article.id, { version: 1, state: 'review' });
    const silent = await updateArticle(deps, rae, article.id, { version: 2, state: 'draft' }).catch(
      (e: unknown) => e,
    );
    const back = await updateArticle(deps, rae, article.id, {
      version: 2,
      state: 'draft',
      comment: 'Add the drive letter to use',
    });
    await updateArticle(deps, kim, article.id, { version: 3, state: 'review' });
    const live = await updateArticle(deps, rae, article.id, {
      version: 4,
      state: 'published',
      comment: 'Checked',
    });
    const history = await articleHistory(deps, kim, article.id);

    expect(silent).toMatchObject({ name: 'ValidationError', fields: [{ path: 'comment' }] });
    expect(back.state).toBe('draft');
    expect(live.state).toBe('published');
    expect(history.items.filter((e) => e.field === 'state').map((e) => [e.newValue, e.reason])).toEqual(
      expect.arrayContaining([
        ['draft', 'Add the drive letter to use'],
        ['published', 'Checked'],
      ]),
    );
  });

  it("keeps pictures as the article's own files: agents add them to drafts, readers of the article fetch them", async () => {
    const draft = await createArticle(deps, kim, {
      title: 'Where the printer menu is',
      body: '<p>Open it here:</p><img src="cid:01PICTURE" alt="The menu"><img src="https://tracker.example/p.gif">',
    });
    const live = await publish('Printer menu, published');

    const agentOnDraft = await articleFiles(deps, kim, draft.id);
    const employeeOnDraft = await articleFiles(deps, emma, draft.id).catch((e: unknown) => e);
    const agentOnPublished = await articleFiles(deps, kim, live.id);
    const employeeOnPublished = await articleFiles(deps, emma, live.id);

    expect(draft.body).toContain('src="/inline/01PICTURE"');
    expect(draft.body).not.toMatch(/ src="https:/);
    expect(agentOnDraft).toEqual({ open: true });
    expect((employeeOnDraft as Error).name).toBe('NotFoundError');
    expect(agentOnPublished).toEqual({ open: false });
    expect(employeeOnPublished).toEqual({ open: false });
  });
});
